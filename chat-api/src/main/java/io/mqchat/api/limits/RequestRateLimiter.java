package io.mqchat.api.limits;

import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.web.ApiException;
import org.redisson.client.RedisTimeoutException;
import org.springframework.stereotype.Component;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * The shared {@link RateLimiter} as a REST request uses it: the request thread waits for the decision (at
 * most 5 s), and a refusal is a 429 problem with {@code Retry-After}. A Redis failure reaches the problem
 * handler as itself, so it answers 503.
 */
@Component
public class RequestRateLimiter {

    private static final long WAIT_SECONDS = 5;

    private final RateLimiter limiter;

    public RequestRateLimiter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** Whether one token could be taken now, without taking it. */
    public RateLimiter.Decision peek(String kind, String subject, RateLimit limit) {
        return await(limiter.peek(kind, subject, limit));
    }

    /** Takes {@code cost} tokens if there are that many (none otherwise). */
    public RateLimiter.Decision take(String kind, String subject, RateLimit limit, long cost) {
        return await(limiter.tryTake(kind, subject, limit, cost));
    }

    /**
     * 429 with {@code code} and {@code detail} (given the seconds to wait) unless one token could be taken now;
     * nothing is taken.
     */
    public void peekOrRefuse(String kind, String subject, RateLimit limit, String code, LongFunction<String> detail) {
        refuseUnless(peek(kind, subject, limit), code, detail);
    }

    /** Takes {@code cost} tokens, or refuses with 429, {@code code} and {@code detail} (given the seconds to wait). */
    public void takeOrRefuse(String kind, String subject, RateLimit limit, long cost, String code,
                             LongFunction<String> detail) {
        refuseUnless(take(kind, subject, limit, cost), code, detail);
    }

    private static void refuseUnless(RateLimiter.Decision decision, String code, LongFunction<String> detail) {
        if (!decision.allowed()) {
            long seconds = decision.retryAfterSeconds();
            throw ApiException.tooManyRequests(detail.apply(seconds), code, seconds);
        }
    }

    private static RateLimiter.Decision await(CompletionStage<RateLimiter.Decision> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisTimeoutException("rate limit check timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
