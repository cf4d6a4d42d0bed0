package io.mqchat.api.services;

import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.services.ServiceScopes;

import java.util.List;

/** Request and response bodies of the service-account routes. */
public final class ServiceAccountDtos {

    private ServiceAccountDtos() {
    }

    /** Scopes as written in a request; absent fields keep what was there (or the defaults, when creating). */
    public record ScopesRequest(String direct, List<String> users, String groups, List<String> groupIds,
                                Boolean broadcast) {
    }

    /** {@code POST /api/v1/admin/service-accounts}. */
    public record CreateRequest(String id, String name, ScopesRequest scopes, String rateLimit) {
    }

    /** {@code PATCH /api/v1/admin/service-accounts/{id}}: what is given changes. */
    public record UpdateRequest(String name, ScopesRequest scopes, String rateLimit) {
    }

    /** {@code POST .../disable}. */
    public record DisableRequest(String reason) {
    }

    /** An account as admins see it (never its secret or hash). */
    public record View(String id, String name, ServiceScopes scopes, String rateLimit, String createdAt,
                       String createdBy, String disabledAt, String clientIds) {

        static View of(ServiceAccount a) {
            return new View(a.id(), a.name(), a.scopes(), a.rateLimit().text(), a.createdAt().toString(), a.createdBy(),
                    a.disabledAt() == null ? null : a.disabledAt().toString(), a.id() + ":{instance}");
        }
    }

    /** Answer of a creation or rotation: the secret, shown this once. */
    public record Credentials(View account, String clientSecret) {
    }

    /** Answer of the list: {@code next} is the {@code after} of the next page, or null. */
    public record Page(List<View> serviceAccounts, String next) {
    }

    /** {@code POST /api/v1/auth/token} (OAuth 2.0 client credentials, as JSON). */
    public record TokenRequest(String grant_type, String client_id, String client_secret) {
        @Override
        public String toString() {
            return "TokenRequest[client_id=" + client_id + "]";
        }
    }

    /**
     * A service token: MQTT password (username = the service id, client id {@code {serviceId}:{instance}}) and REST
     * bearer token.
     */
    public record TokenResponse(String token, String expiresAt) {
    }
}
