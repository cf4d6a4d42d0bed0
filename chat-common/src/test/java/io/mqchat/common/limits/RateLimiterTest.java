package io.mqchat.common.limits;

import io.mqchat.common.redis.TestRedis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Token buckets on a real Redis. */
class RateLimiterTest {

    @RegisterExtension
    static final TestRedis redis = TestRedis.forTestClass();
    private static RedissonClient redisson;
    private static RateLimiter limiter;

    @BeforeAll
    static void start() {
        redisson = redis.redisson();
        limiter = new RateLimiter(redisson);
    }

    private static RateLimiter.Decision take(String subject, RateLimit limit) throws Exception {
        return limiter.tryTake("test", subject, limit).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aCostTakesThatManyTokensOrNone() throws Exception {
        RateLimit limit = RateLimit.parse("1/m,burst=5");
        assertThat(limiter.tryTake("test", "cost", limit, 3).toCompletableFuture().get(5, TimeUnit.SECONDS)
                .allowed()).isTrue();
        RateLimiter.Decision tooMuch = limiter.tryTake("test", "cost", limit, 3).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(tooMuch.allowed()).as("2 left, 3 asked: nothing taken").isFalse();
        assertThat(tooMuch.retryAfterSeconds()).isBetween(50L, 60L);
        assertThat(limiter.tryTake("test", "cost", limit, 2).toCompletableFuture().get(5, TimeUnit.SECONDS)
                .allowed()).as("the refused take left the 2 tokens").isTrue();
        assertThat(take("cost", limit).allowed()).isFalse();
    }

    @Test
    void allowsTheBurstAtOnceThenRefusesWithTheTimeToWait() throws Exception {
        RateLimit limit = RateLimit.parse("1/m,burst=5");
        for (int i = 0; i < 5; i++) {
            assertThat(take("burst", limit).allowed()).isTrue();
        }
        RateLimiter.Decision refused = take("burst", limit);
        assertThat(refused.allowed()).isFalse();
        // one token comes back per minute
        assertThat(refused.retryAfterMillis()).isBetween(50_000L, 60_000L);
        assertThat(refused.retryAfterSeconds()).isBetween(50L, 60L);
        assertThat(take("someone-else", limit).allowed()).as("buckets are per subject").isTrue();
    }

    @Test
    void concurrentTakersNeverGetMoreThanTheBurst() throws Exception {
        RateLimit limit = RateLimit.parse("1/h,burst=50");
        List<CompletableFuture<RateLimiter.Decision>> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            all.add(limiter.tryTake("test", "concurrent", limit).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(all.stream().filter(f -> f.join().allowed()).count()).isEqualTo(50);
    }

    @Test
    void refillsAtTheRate() throws Exception {
        RateLimit limit = RateLimit.parse("10/s,burst=2");
        assertThat(take("refill", limit).allowed()).isTrue();
        assertThat(take("refill", limit).allowed()).isTrue();
        assertThat(take("refill", limit).allowed()).isFalse();
        await().atMost(Duration.ofSeconds(2)).until(() -> take("refill", limit).allowed());
    }

    @Test
    void peekDoesNotSpend() throws Exception {
        RateLimit limit = RateLimit.parse("1/h,burst=1");
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.peek("test", "peek", limit).toCompletableFuture().get().allowed()).isTrue();
        }
        assertThat(take("peek", limit).allowed()).isTrue();
        assertThat(limiter.peek("test", "peek", limit).toCompletableFuture().get().allowed()).isFalse();
    }

    @Test
    void offAllowsEverythingWithoutRedis() throws Exception {
        for (int i = 0; i < 1_000; i++) {
            assertThat(take("off", RateLimit.OFF).allowed()).isTrue();
        }
        assertThat(redisson.getKeys().countExists("mqchat:rate:test:{off}")).isZero();
    }

    @Test
    void anIdleBucketExpires() throws Exception {
        take("expiry", RateLimit.parse("100/s,burst=1"));
        long ttl = redisson.getBucket("mqchat:rate:test:{expiry}").remainTimeToLive();
        assertThat(ttl).isBetween(1L, 1_100L);
    }
}
