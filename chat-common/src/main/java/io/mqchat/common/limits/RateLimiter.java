package io.mqchat.common.limits;

import io.mqchat.common.redis.RedisKeys;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token buckets in Redis, so that a limit holds across every broker node and service instance: one atomic
 * script call per decision, timed by the Redis server's clock (nodes' clocks may differ). A bucket is a
 * small hash that expires once it would be full again, so idle subjects cost nothing.
 */
public final class RateLimiter {

    /**
     * KEYS[1] bucket; ARGV[1] tokens per ms, ARGV[2] burst, ARGV[3] cost, ARGV[4] 1 = take, 0 = only look.
     * Returns {allowed (1/0), ms until the cost would be allowed}.
     */
    private static final String TAKE = """
            if redis.replicate_commands then redis.replicate_commands() end
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local t = redis.call('time')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local b = redis.call('hmget', KEYS[1], 't', 'v')
            local tokens = burst
            if b[1] then
              tokens = math.min(burst, tonumber(b[2]) + math.max(0, now - tonumber(b[1])) * rate)
            end
            if tokens >= cost then
              if ARGV[4] == '1' then
                tokens = tokens - cost
                redis.call('hset', KEYS[1], 't', now, 'v', tostring(tokens))
                redis.call('pexpire', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
              end
              return {1, 0}
            end
            return {0, math.ceil((cost - tokens) / rate)}
            """;

    /** One decision. */
    public record Decision(boolean allowed, long retryAfterMillis) {

        public static final Decision ALLOWED = new Decision(true, 0);

        /** Seconds for a {@code Retry-After} header: at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }
    }

    private final RScript script;

    public RateLimiter(RedissonClient redisson) {
        this.script = redisson.getScript(StringCodec.INSTANCE);
    }

    /**
     * Takes one token from the bucket of {@code subject} under {@code limit} if there is one.
     *
     * @param kind    what is limited (e.g. {@code publish}, {@code login-fail}); part of the key
     * @param subject who is limited (a user id, a client address)
     */
    public CompletionStage<Decision> tryTake(String kind, String subject, RateLimit limit) {
        return run(kind, subject, limit, 1, true);
    }

    /**
     * Takes {@code cost} tokens at once, or none (e.g. one per user added to a group in one request). A cost
     * above the burst is never allowed: the caller should refuse it as too large rather than ask to wait.
     */
    public CompletionStage<Decision> tryTake(String kind, String subject, RateLimit limit, long cost) {
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1");
        }
        return run(kind, subject, limit, cost, true);
    }

    /** Whether {@link #tryTake} would allow one now, without taking it (e.g. "is this login locked?"). */
    public CompletionStage<Decision> peek(String kind, String subject, RateLimit limit) {
        return run(kind, subject, limit, 1, false);
    }

    private CompletionStage<Decision> run(String kind, String subject, RateLimit limit, long cost, boolean take) {
        if (limit.isOff()) {
            return CompletableFuture.completedFuture(Decision.ALLOWED);
        }
        List<Object> keys = List.of(RedisKeys.rateBucket(kind, subject));
        return script.<List<Long>>evalAsync(RScript.Mode.READ_WRITE, TAKE, RScript.ReturnType.MULTI, keys,
                Double.toString(limit.perSecond() / 1000.0), Long.toString(limit.burst()), Long.toString(cost), take ? "1" : "0")
                .thenApply(r -> r.get(0) == 1L ? Decision.ALLOWED : new Decision(false, r.get(1)));
    }
}
