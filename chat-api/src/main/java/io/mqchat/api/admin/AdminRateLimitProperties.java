package io.mqchat.api.admin;

import io.mqchat.common.limits.RateLimit;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what admins repeat ({@code mqchat.ratelimit.broadcast}, env {@code MQCHAT_RATELIMIT_BROADCAST}), as a
 * {@link RateLimit} setting. Validated at start. The default: 10 broadcasts at once, then 30 an hour per admin
 * (each one reaches every online device).
 */
@Validated
@ConfigurationProperties("mqchat.ratelimit")
public record AdminRateLimitProperties(@NotNull @DefaultValue("30/h,burst=10") String broadcast) {

    @AssertTrue(message = "must be a rate such as 30/h,burst=10, or off (MQCHAT_RATELIMIT_BROADCAST)")
    public boolean isBroadcastValid() {
        if (broadcast == null) {
            return true; // @NotNull reports it
        }
        try {
            RateLimit.parse(broadcast);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public RateLimit broadcastLimit() {
        return RateLimit.parse(broadcast);
    }
}
