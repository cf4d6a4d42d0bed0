package io.mqchat.api.groups;

import io.mqchat.api.limits.RequestRateLimiter;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Per-user token buckets for creating groups and for putting people into them (added or invited), shared by
 * every chat-api instance through Redis. Over the limit: 429 with {@code Retry-After}.
 */
@Service
public class GroupRateLimits {

    static final String CREATE = "group-create";
    static final String ADD = "group-add";
    private static final String CREATE_REFUSED = "group_create_rate_limited";

    private final RequestRateLimiter limiter;
    private final RateLimit create;
    private final RateLimit add;

    public GroupRateLimits(GroupRateLimitProperties properties, RequestRateLimiter limiter) {
        this.limiter = limiter;
        this.create = properties.groupCreateLimit();
        this.add = properties.groupAddLimit();
    }

    /**
     * A group created with {@code members} others: checks both limits and spends from both only when both
     * allow it (a refused creation costs nothing).
     */
    public void creating(String user, int members) {
        limiter.peekOrRefuse(CREATE, user, create, CREATE_REFUSED, GroupRateLimits::createRefused);
        adding(user, members);
        // refused here too if a concurrent creation took the last one
        limiter.takeOrRefuse(CREATE, user, create, 1, CREATE_REFUSED, GroupRateLimits::createRefused);
    }

    /** {@code users} people added or invited by {@code user} in one request. */
    public void adding(String user, int users) {
        if (users == 0 || add.isOff()) {
            return;
        }
        if (users > add.burst()) {
            // waiting does not help, so no Retry-After
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "You can add or invite at most " + add.burst()
                    + " users at once; split the request.", "group_add_too_many");
        }
        limiter.takeOrRefuse(ADD, user, add, users, "group_add_rate_limited", seconds -> "You added or invited too "
                + "many users to groups recently; adding " + users + " more is possible in " + seconds + " s "
                + "(Retry-After). Users can also join by themselves with a join request.");
    }

    private static String createRefused(long seconds) {
        return "You created too many groups recently; try again in " + seconds + " s (Retry-After).";
    }
}
