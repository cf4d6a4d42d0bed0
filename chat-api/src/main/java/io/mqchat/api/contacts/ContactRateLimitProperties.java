package io.mqchat.api.contacts;

import io.mqchat.common.limits.RateLimit;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-user limit on contact requests sent ({@code mqchat.ratelimit.contact-requests}, env
 * {@code MQCHAT_RATELIMIT_CONTACTREQUESTS}), as a {@link RateLimit} setting. Validated at start. The default,
 * 30 at once and then 100 a day, lets someone add the people they know and stops a stranger from asking
 * thousands.
 */
@Validated
@ConfigurationProperties("mqchat.ratelimit")
public record ContactRateLimitProperties(@NotNull @DefaultValue("100/d,burst=30") String contactRequests) {

    @AssertTrue(message = "must be a rate such as 100/d,burst=30, or off (MQCHAT_RATELIMIT_CONTACTREQUESTS)")
    public boolean isContactRequestsValid() {
        if (contactRequests == null) {
            return true; // @NotNull reports it
        }
        try {
            RateLimit.parse(contactRequests);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public RateLimit contactRequestsLimit() {
        return RateLimit.parse(contactRequests);
    }
}
