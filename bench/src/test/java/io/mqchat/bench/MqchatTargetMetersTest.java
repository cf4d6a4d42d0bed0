package io.mqchat.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The extension's meters as the report reads them: over the whole run, however long. */
class MqchatTargetMetersTest {

    @Test
    void maximaOfTimersAndSummariesDoNotDecayDuringALongRun() {
        MockClock clock = new MockClock();
        SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        meters.config().meterFilter(MqchatTarget.WHOLE_RUN_PERCENTILES);
        DistributionSummary batch = meters.summary("mqchat.store.batch.size");
        Timer write = meters.timer("mqchat.store.write");
        DistributionSummary other = meters.summary("other.size");

        batch.record(126);
        write.record(Duration.ofMillis(40));
        other.record(126);
        clock.add(Duration.ofMinutes(5)); // a many-devices run: the batches were long before the report

        assertThat(batch.max()).isEqualTo(126);
        assertThat(write.max(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(other.max()).as("meters of others keep Micrometer's window").isZero();
    }
}
