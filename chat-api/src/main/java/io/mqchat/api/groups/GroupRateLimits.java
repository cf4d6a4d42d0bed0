package io.mqchat.api.groups;

import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Per-user token buckets for creating groups and for putting people into them (added or invited), shared by
 * every chat-api instance through Redis. Over the limit: 429 with {@code Retry-After}.
 */
@Service
public class GroupRateLimits {

    static final String CREATE = "group-create";
    static final String ADD = "group-add";

    private final RateLimiter limiter;
    private final RateLimit create;
    private final RateLimit add;

    public GroupRateLimits(GroupRateLimitProperties properties, RateLimiter limiter) {
        this.limiter = limiter;
        this.create = properties.groupCreateLimit();
        this.add = properties.groupAddLimit();
    }

    /**
     * A group created with {@code members} others: checks both limits and spends from both only when both
     * allow it (a refused creation costs nothing).
     */
    public void creating(String user, int members) {
        RateLimiter.Decision canCreate = wait(limiter.peek(CREATE, user, create));
        if (!canCreate.allowed()) {
            throw createRefused(canCreate);
        }
        adding(user, members);
        RateLimiter.Decision created = wait(limiter.tryTake(CREATE, user, create));
        if (!created.allowed()) {
            throw createRefused(created); // a concurrent creation took the last one
        }
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
        RateLimiter.Decision d = wait(limiter.tryTake(ADD, user, add, users));
        if (!d.allowed()) {
            throw ApiException.tooManyRequests("You added or invited too many users to groups recently; adding "
                    + users + " more is possible in " + d.retryAfterSeconds() + " s (Retry-After). Users can also "
                    + "join by themselves with a join request.", "group_add_rate_limited", d.retryAfterSeconds());
        }
    }

    private static ApiException createRefused(RateLimiter.Decision d) {
        return ApiException.tooManyRequests("You created too many groups recently; try again in "
                + d.retryAfterSeconds() + " s (Retry-After).", "group_create_rate_limited", d.retryAfterSeconds());
    }

    private static RateLimiter.Decision wait(java.util.concurrent.CompletionStage<RateLimiter.Decision> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            // e.g. Redis down: rethrown as itself, so the problem handler answers 503
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new org.redisson.client.RedisTimeoutException("rate limit check timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
