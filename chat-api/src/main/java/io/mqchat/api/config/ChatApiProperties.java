package io.mqchat.api.config;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.DeviceTypes;
import io.mqchat.common.protocol.Ids;
import io.mqchat.web.MongoProperties;
import io.mqchat.web.RedisProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Everything chat-api reads from configuration ({@code mqchat.*}, e.g. env {@code MQCHAT_JWT_SECRET}).
 * Validated at start-up: an invalid value stops the app with a message naming the property.
 */
@Validated
@ConfigurationProperties("mqchat")
public record ChatApiProperties(@Valid @NotNull @DefaultValue MongoProperties mongo,
                                @Valid @NotNull @DefaultValue Jwt jwt,
                                @Valid @NotNull @DefaultValue RedisProperties redis,
                                @NotEmpty(message = "list at least one device type (MQCHAT_DEVICETYPES)")
                                @DefaultValue({"phone", "tablet", "desktop", "web", "iot", "bot"})
                                List<String> deviceTypes,
                                @NotNull @DefaultValue("per-type") String devicePolicy,
                                @NotNull @DefaultValue List<String> admins) {

    /** {@code MQCHAT_ADMINS}: user ids that hold the admin role from start-up (they cannot be revoked over REST). */
    @AssertTrue(message = "must be a comma-separated list of user ids of 3-32 letters, digits, '_', '-' or '.' "
            + "(MQCHAT_ADMINS)")
    public boolean isAdminsValid() {
        return admins == null || adminIds().stream().allMatch(Ids::isValidUserId);
    }

    /** The configured admin ids, trimmed; empty entries (an empty variable, a trailing comma) are none. */
    public List<String> adminIds() {
        return admins == null ? List.of() : admins.stream().map(String::strip).filter(id -> !id.isEmpty()).toList();
    }

    @AssertTrue(message = "must be per-type, single, or per-type plus groups like per-type,phone+tablet "
            + "(MQCHAT_DEVICEPOLICY)")
    public boolean isDevicePolicyValid() {
        try {
            io.mqchat.common.auth.DevicePolicy.parse(devicePolicy);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Access tokens: the shared HS256 secret (never in the repo) and how long a login lasts. */
    public record Jwt(String secret, @NotNull @DefaultValue("7d") Duration lifetime) {

        @AssertTrue(message = "set MQCHAT_JWT_SECRET (mqchat.jwt.secret) to a random secret of at least "
                + AccessTokens.MIN_SECRET_BYTES + " bytes; the broker and history-service need the same one")
        public boolean isSecretValid() {
            return secret != null && secret.getBytes(StandardCharsets.UTF_8).length >= AccessTokens.MIN_SECRET_BYTES;
        }

        @AssertTrue(message = "must be positive (MQCHAT_JWT_LIFETIME, e.g. 7d)")
        public boolean isLifetimePositive() {
            return lifetime == null || lifetime.toSeconds() > 0;
        }

        @Override
        public String toString() {
            // keep the secret out of logs and failure reports
            return "Jwt[secret=<hidden>, lifetime=" + lifetime + "]";
        }
    }

    @AssertTrue(message = "device types must be lower-case names such as 'phone', and not 'service' (reserved for "
            + "service accounts) (MQCHAT_DEVICETYPES)")
    public boolean isDeviceTypesValid() {
        return deviceTypes == null || deviceTypes.stream()
                .allMatch(t -> Ids.isValidDeviceType(t) && !t.equals(DeviceTypes.SERVICE));
    }
}
