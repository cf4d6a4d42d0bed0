package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DirectMessageBenchmarkTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void tinyRunPassesTheChecksOnBothBrokers() throws Exception {
        BenchSettings settings = BenchSettings.defaults().withSize(2, 50, 10, 5);
        TinyRun run = TinyRun.of(settings).withoutProblemsOnBothSides();
        run.assertEachAckedAndDelivered(100);
        for (SideResult side : run.bothSides()) {
            assertThat(side.ackedPerSecond()).as(side.name()).isPositive();
            assertThat(side.deliveredPerSecond()).as(side.name()).isPositive();
            assertThat(side.ackLatency().count()).as(side.name()).isEqualTo(100);
        }
        // warm-up and measured messages, each stored exactly once
        assertThat(run.report().measured().stored()).isEqualTo(120);
        assertThat(run.table()).contains("mqchat/plain").contains("passed");
    }

    @Test
    void refusesOversizedAndInvalidRuns() {
        BenchSettings huge = BenchSettings.defaults().withSize(500, 2_001, 0, 10);
        assertThat(huge.problems()).anyMatch(p -> p.contains("refusing"));

        BenchSettings parsed = CommandLineSettings.of("--pairs", "0", "--inflight", "5", "--duration", "30s", "--mqtt3");
        assertThat(parsed.problems()).anyMatch(p -> p.startsWith("--pairs"));
        assertThat(parsed.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(parsed.mqtt3()).isTrue();
    }
}
