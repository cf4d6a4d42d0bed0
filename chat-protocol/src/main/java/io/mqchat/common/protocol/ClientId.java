package io.mqchat.common.protocol;

import org.jspecify.annotations.Nullable;

import java.util.Optional;

/**
 * The MQTT client id of a device: {@code {userId}:{deviceType}}, e.g. {@code alice:phone}.
 *
 * <p>One live connection exists per client id, which is what makes "one device per device type" work:
 * a second login of the same type takes the session over.
 */
public record ClientId(String userId, String deviceType) {

    public ClientId {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("invalid user id: " + userId);
        }
        if (!Ids.isValidDeviceType(deviceType)) {
            throw new IllegalArgumentException("invalid device type: " + deviceType);
        }
    }

    /** Parses {@code user:device}; empty when the text is not a valid client id. */
    public static Optional<ClientId> parse(@Nullable String clientId) {
        if (clientId == null) {
            return Optional.empty();
        }
        int colon = clientId.indexOf(':');
        if (colon < 0 || clientId.indexOf(':', colon + 1) >= 0) {
            return Optional.empty();
        }
        String user = clientId.substring(0, colon);
        String device = clientId.substring(colon + 1);
        if (!Ids.isValidUserId(user) || !Ids.isValidDeviceType(device)) {
            return Optional.empty();
        }
        return Optional.of(new ClientId(user, device));
    }

    @Override
    public String toString() {
        return userId + ":" + deviceType;
    }
}
