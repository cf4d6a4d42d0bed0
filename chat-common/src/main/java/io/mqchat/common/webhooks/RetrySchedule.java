package io.mqchat.common.webhooks;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: exponential backoff, {@code base * 2^(attempt-1)} capped at {@code max},
 * with jitter (a random point in the upper half of that delay, so endpoints that failed together do not all come
 * back at once); dead after {@code maxAttempts} attempts.
 */
public record RetrySchedule(Duration base, Duration max, int maxAttempts) {

    public RetrySchedule {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("need 0 < base <= max and at least one attempt");
        }
    }

    /** The delay after the {@code attempt}-th failed attempt (1 = the first). */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        long ceiling = ceilingMillis(attempt);
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + (ceiling > floor ? random.nextLong(ceiling - floor + 1) : 0));
    }

    /** The longest delay after the {@code attempt}-th failure (no jitter). */
    public long ceilingMillis(int attempt) {
        long millis = base.toMillis();
        for (int i = 1; i < attempt && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Math.min(millis, max.toMillis());
    }

    /** Whether a delivery that has failed {@code attempts} times is dead. */
    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }
}
