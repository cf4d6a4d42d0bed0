package io.mqchat.api.auth;

/** Request and response bodies of {@link AuthController}. */
public final class AuthDtos {

    private AuthDtos() {
    }

    /** {@code POST /api/v1/auth/register}. */
    public record RegisterRequest(String userId, String password) {
        @Override
        public String toString() {
            return "RegisterRequest[userId=" + userId + "]";
        }
    }

    /** Answer to a registration. */
    public record RegisteredUser(String userId) {
    }

    /** {@code POST /api/v1/auth/login}. */
    public record LoginRequest(String userId, String password, String deviceType) {
        @Override
        public String toString() {
            return "LoginRequest[userId=" + userId + ", deviceType=" + deviceType + "]";
        }
    }

    /**
     * Answer to a login: the access token for MQTT (password) and REST (bearer), the MQTT client id to
     * connect with, and when the token expires (ISO-8601).
     */
    public record LoginResponse(String token, String clientId, String expiresAt) {
    }
}
