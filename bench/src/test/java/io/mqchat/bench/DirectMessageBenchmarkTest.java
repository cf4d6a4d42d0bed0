package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DirectMessageBenchmarkTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void tinyRunPassesTheChecksOnBothBrokers() throws Exception {
        BenchSettings settings = BenchSettings.defaults().withSize(2, 50, 10, 5);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        BenchmarkReport report = Benchmark.run(settings, new PrintStream(progress, true, StandardCharsets.UTF_8));

        String table = report.table();
        assertThat(report.measured().problems()).as(table).isEmpty();
        assertThat(report.baseline().problems()).as(table).isEmpty();
        for (SideResult side : new SideResult[] {report.measured(), report.baseline()}) {
            assertThat(side.measuredAcked()).as(side.name()).isEqualTo(100);
            assertThat(side.measuredDelivered()).as(side.name()).isEqualTo(100);
            assertThat(side.ackedPerSecond()).as(side.name()).isPositive();
            assertThat(side.deliveredPerSecond()).as(side.name()).isPositive();
            assertThat(side.ackLatency().count()).as(side.name()).isEqualTo(100);
            assertThat(side.deliveryLatency().count()).as(side.name()).isEqualTo(100);
        }
        // warm-up and measured messages, each stored exactly once
        assertThat(report.measured().stored()).isEqualTo(120);
        assertThat(table).contains("mqchat/plain").contains("passed");
    }

    @Test
    void refusesOversizedAndInvalidRuns() {
        BenchSettings huge = BenchSettings.defaults().withSize(500, 2_001, 0, 10);
        assertThat(huge.problems()).anyMatch(p -> p.contains("refusing"));

        DirectMessageBenchmark command = new DirectMessageBenchmark();
        new CommandLine(command).parseArgs("--pairs", "0", "--inflight", "5", "--duration", "30s", "--mqtt3");
        assertThat(command.settings().problems()).anyMatch(p -> p.startsWith("--pairs"));
        assertThat(command.settings().duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(command.settings().mqtt3()).isTrue();
    }
}
