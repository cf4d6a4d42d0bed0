package io.mqchat.common.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;

import java.time.Instant;
import java.util.Optional;

/**
 * The current login of one device type of a user, kept in Redis ({@code RedisKeys.deviceLogins}). Only
 * the token with this {@code tokenId} is accepted for that device: a newer login or a logout replaces
 * or removes it, which revokes every older token of the device, so a kicked device cannot come back.
 */
public record DeviceLogin(String deviceType, String tokenId, Instant loginAt, Instant expiresAt) {

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode()
                    .put("device", deviceType).put("tokenId", tokenId)
                    .put("loginAt", loginAt.toEpochMilli()).put("expiresAt", expiresAt.toEpochMilli()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Optional<DeviceLogin> fromJson(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return Optional.of(new DeviceLogin(n.path("device").asText(), n.path("tokenId").asText(),
                    Instant.ofEpochMilli(n.path("loginAt").asLong()), Instant.ofEpochMilli(n.path("expiresAt").asLong())));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** Whether a verified token is this login's token. */
    public boolean accepts(AccessTokens.AccessToken token) {
        return token.deviceType().equals(deviceType) && token.tokenId() != null && token.tokenId().equals(tokenId);
    }
}
