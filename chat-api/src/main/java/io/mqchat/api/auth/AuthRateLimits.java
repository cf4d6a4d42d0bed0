package io.mqchat.api.auth;

import io.mqchat.common.limits.RateLimit;
import jakarta.validation.constraints.AssertTrue;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How fast logins may fail and accounts be registered ({@code mqchat.rate-limit.*}), in the {@link RateLimit}
 * form ({@code 40/h,burst=10}, or {@code off}). Validated at start-up: an invalid value stops the app with a
 * message naming the variable.
 *
 * <p>Per-address limits are generous on purpose: behind carrier-grade NAT or an office proxy many real
 * users share one address; the per-account limit is what stops guessing one password.
 *
 * @param loginFailures        failed logins per account id, known or not ({@code MQCHAT_RATELIMIT_LOGINFAILURES}):
 *                             10 at once, then one more every 90 s
 * @param addressLoginFailures failed logins per client address, whatever the account
 *                             ({@code MQCHAT_RATELIMIT_ADDRESSLOGINFAILURES}): 100 at once, then 10 a minute
 * @param registrations        registration attempts per client address ({@code MQCHAT_RATELIMIT_REGISTRATIONS}):
 *                             30 at once, then one a minute
 */
@Validated
@ConfigurationProperties("mqchat.rate-limit")
public record AuthRateLimits(@DefaultValue("40/h,burst=10") String loginFailures,
                             @DefaultValue("10/m,burst=100") String addressLoginFailures,
                             @DefaultValue("60/h,burst=30") String registrations) {

    private static final String FORM = " such as 40/h,burst=10 (N/s, N/m, N/h or N/d, optionally ,burst=B), or off";

    public RateLimit loginFailureLimit() {
        return RateLimit.parse(loginFailures);
    }

    public RateLimit addressLoginFailureLimit() {
        return RateLimit.parse(addressLoginFailures);
    }

    public RateLimit registrationLimit() {
        return RateLimit.parse(registrations);
    }

    @AssertTrue(message = "must be a rate" + FORM + " (MQCHAT_RATELIMIT_LOGINFAILURES)")
    public boolean isLoginFailuresValid() {
        return parses(loginFailures);
    }

    @AssertTrue(message = "must be a rate" + FORM + " (MQCHAT_RATELIMIT_ADDRESSLOGINFAILURES)")
    public boolean isAddressLoginFailuresValid() {
        return parses(addressLoginFailures);
    }

    @AssertTrue(message = "must be a rate" + FORM + " (MQCHAT_RATELIMIT_REGISTRATIONS)")
    public boolean isRegistrationsValid() {
        return parses(registrations);
    }

    private static boolean parses(String spec) {
        try {
            RateLimit.parse(spec);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
