package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Many devices, each sending to the next one at a fixed interval: options and a tiny run. */
class ManyDevicesBenchmarkTest {

    @Test
    void manyDevicesSendsForADurationAtAnInterval() {
        BenchSettings s = CommandLineSettings.of("--scenario", "many-devices");

        assertThat(s.problems()).isEmpty();
        assertThat(s.fleet().devices()).isEqualTo(5_000);
        assertThat(s.fleet().sendEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.messages()).as("one per device and interval").isEqualTo(12);
        assertThat(s.warmup()).isEqualTo(1);
        assertThat(s.senders()).isEqualTo(5_000);
        assertThat(s.conversations()).isEqualTo(5_000);
        assertThat(s.totalMessages()).isEqualTo(5_000L * 13);
        assertThat(s.describe()).startsWith("5000 devices, each sending to the next one every 5000 ms, 12 msgs/device");

        BenchSettings custom = CommandLineSettings.of("--scenario", "many-devices", "--devices", "200",
                "--send-every", "500ms", "--duration", "3s");
        assertThat(custom.problems()).isEmpty();
        assertThat(custom.messages()).isEqualTo(6);
    }

    @Test
    void refusesNonsense() {
        DirectMessageBenchmark bad = new DirectMessageBenchmark();
        new CommandLine(bad).parseArgs("--scenario", "many-devices", "--devices", "2", "--send-every", "5s",
                "--duration", "2s", "--rate", "10");
        assertThat(bad.settings().problems())
                .anyMatch(p -> p.startsWith("--devices must be between 3 and 6000"))
                .anyMatch(p -> p.startsWith("--duration must be at least --send-every"))
                .anyMatch(p -> p.startsWith("--rate does not apply"));

        new CommandLine(bad).parseArgs("--scenario", "many-devices", "--send-every", "1ms", "--duration", "4m",
                "--max-phase-time", "4m");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("--send-every must be between"))
                .anyMatch(p -> p.startsWith("--max-phase-time must be longer than --duration"));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void tinyRunOfDevicesInARingPassesTheChecksOnBothBrokers() throws Exception {
        FleetSettings fleet = new FleetSettings(1, 6, Duration.ofMillis(200), 1, Duration.ZERO, 1_000, 0, 1);
        Duration duration = Duration.ofSeconds(1);
        BenchSettings settings = BenchSettings.defaults().withFleet(BenchSettings.Scenario.manyDevices, fleet,
                fleet.messagesIn(duration), 1, 10, duration);
        TinyRun run = TinyRun.of(settings).withoutProblemsOnBothSides();
        run.assertEachAckedAndDelivered(30);
        for (SideResult side : run.bothSides()) {
            assertThat(side.metric("process CPU, measured (cores)")).as(side.name()).isPositive();
            assertThat(side.metric("pacer lag max (ms)")).as(side.name()).isNotNaN();
            // 5 measured messages per device, 200 ms apart: the phase cannot be much shorter than a second
            assertThat(side.seconds()).as(side.name()).isGreaterThan(0.7);
        }
        // 6 one-way conversations of 6 messages each (warm-up included), each stored once
        assertThat(run.report().measured().stored()).isEqualTo(36);
        assertThat(run.report().measured().notes()).anyMatch(n -> n.startsWith("copies of their own messages"));
        assertThat(run.table()).startsWith("Many devices: ").contains("process CPU, measured (cores)")
                .contains("passed");
    }
}
