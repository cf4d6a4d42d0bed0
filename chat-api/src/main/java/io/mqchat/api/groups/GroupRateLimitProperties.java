package io.mqchat.api.groups;

import io.mqchat.common.limits.RateLimit;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-user limits on group changes that reach other people ({@code mqchat.ratelimit.*}, env
 * {@code MQCHAT_RATELIMIT_GROUPCREATE}, {@code MQCHAT_RATELIMIT_GROUPADD}), as {@link RateLimit} settings
 * ({@code 10/h,burst=20}, or {@code off}). Validated at start.
 *
 * <p>The defaults leave real use alone and stop floods: 20 groups at once and then one every 6 minutes;
 * 1000 people added or invited at once (a full group of the default maximum size) and then 300 an hour.
 *
 * @param groupCreate groups created
 * @param groupAdd    users added or invited (creation with members, additions, invitations), one token each
 */
@Validated
@ConfigurationProperties("mqchat.ratelimit")
public record GroupRateLimitProperties(@NotNull @DefaultValue("10/h,burst=20") String groupCreate,
                                       @NotNull @DefaultValue("300/h,burst=1000") String groupAdd) {

    @AssertTrue(message = "must be a rate such as 10/h,burst=20, or off (MQCHAT_RATELIMIT_GROUPCREATE)")
    public boolean isGroupCreateValid() {
        return valid(groupCreate);
    }

    @AssertTrue(message = "must be a rate such as 300/h,burst=1000, or off (MQCHAT_RATELIMIT_GROUPADD)")
    public boolean isGroupAddValid() {
        return valid(groupAdd);
    }

    public RateLimit groupCreateLimit() {
        return RateLimit.parse(groupCreate);
    }

    public RateLimit groupAddLimit() {
        return RateLimit.parse(groupAdd);
    }

    private static boolean valid(String spec) {
        if (spec == null) {
            return true; // @NotNull reports it
        }
        try {
            RateLimit.parse(spec);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
