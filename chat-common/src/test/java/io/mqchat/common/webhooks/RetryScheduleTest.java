package io.mqchat.common.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryScheduleTest {

    private final RetrySchedule schedule = new RetrySchedule(Duration.ofSeconds(10), Duration.ofMinutes(10), 8);

    @Test
    void doublesFromTheBaseUpToTheMaximum() {
        assertThat(schedule.ceilingMillis(1)).isEqualTo(10_000);
        assertThat(schedule.ceilingMillis(2)).isEqualTo(20_000);
        assertThat(schedule.ceilingMillis(3)).isEqualTo(40_000);
        assertThat(schedule.ceilingMillis(6)).isEqualTo(320_000);
        assertThat(schedule.ceilingMillis(7)).isEqualTo(600_000);
        assertThat(schedule.ceilingMillis(40)).isEqualTo(600_000); // no overflow however many attempts
    }

    @Test
    void jitterStaysInTheUpperHalfOfEachDelayAndVaries() {
        Random random = new Random(42);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long ceiling = schedule.ceilingMillis(attempt);
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2_000; i++) {
                long d = schedule.delayAfter(attempt, random).toMillis();
                assertThat(d).isBetween(ceiling / 2, ceiling);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertThat(max - min).as("jitter spreads attempt %d", attempt).isGreaterThan(ceiling / 4);
        }
    }

    @Test
    void isExhaustedAfterTheLastAttempt() {
        assertThat(schedule.exhausted(7)).isFalse();
        assertThat(schedule.exhausted(8)).isTrue();
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofSeconds(10), Duration.ofSeconds(5), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(Duration.ZERO, Duration.ofSeconds(5), 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
