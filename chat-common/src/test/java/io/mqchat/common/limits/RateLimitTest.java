package io.mqchat.common.limits;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitTest {

    @Test
    void readsRateAndBurst() {
        RateLimit limit = RateLimit.parse("20/s,burst=100");
        assertThat(limit.perSecond()).isEqualTo(20.0);
        assertThat(limit.burst()).isEqualTo(100);
        assertThat(limit.toString()).isEqualTo("20/s,burst=100");
    }

    @Test
    void burstDefaultsToTheCountPerUnit() {
        RateLimit limit = RateLimit.parse(" 6/M ");
        assertThat(limit.perSecond()).isEqualTo(0.1);
        assertThat(limit.burst()).isEqualTo(6);
        assertThat(RateLimit.parse("24/d").perSecond()).isEqualTo(24.0 / 86_400);
    }

    @Test
    void offIsNoLimit() {
        assertThat(RateLimit.parse("off").isOff()).isTrue();
        assertThat(RateLimit.parse("1/h").isOff()).isFalse();
    }

    @Test
    void nonsenseIsRefusedWithTheAcceptedForm() {
        for (String bad : new String[]{"", "20", "20/x", "0/s", "5/s,burst=0", "-1/s", "5/s;burst=2", "9999999999/s"}) {
            assertThatThrownBy(() -> RateLimit.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/s");
        }
        assertThatThrownBy(() -> RateLimit.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
