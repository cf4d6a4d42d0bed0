package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Roaming: options and a small run of both syncs and the history pages, mqchat only. */
class RoamingBenchmarkTest {

    @Test
    void roamingSyncsTenThousandAndPagesAMillionByDefault() {
        BenchSettings s = CommandLineSettings.of("--scenario", "roaming");
        assertThat(s.problems()).isEmpty();
        assertThat(s.fleet().roamingMessages()).isEqualTo(10_000);
        assertThat(s.fleet().historyMessages()).isEqualTo(1_000_000);
        assertThat(s.describe()).startsWith("a new device syncs 10000 messages (from 10 conversations); history pages "
                + "with 10000 and 1000000 messages stored; mqchat only");

        DirectMessageBenchmark bad = new DirectMessageBenchmark();
        new CommandLine(bad).parseArgs("--scenario", "roaming", "--roaming-messages", "1005", "--history-messages",
                "-1", "--sides", "plain");
        assertThat(bad.settings().problems())
                .anyMatch(p -> p.startsWith("--roaming-messages must be a multiple of 10 between 600 and 100000"))
                .anyMatch(p -> p.startsWith("--history-messages must be between 0"))
                .anyMatch(p -> p.startsWith("--sides plain does not apply to roaming"));
        new CommandLine(bad).parseArgs("--scenario", "roaming", "--history-pages", "0");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("--history-pages must be between 1"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void smallRunSyncsEveryMessageBothWaysAndPagesAStoreWrittenDirectly() throws Exception {
        FleetSettings fleet = new FleetSettings(1, 3, Duration.ofSeconds(1), 1, Duration.ZERO, 600, 1_200, 10);
        BenchSettings settings = BenchSettings.defaults().withFleet(BenchSettings.Scenario.roaming, fleet, 1, 0, 10, null);
        TinyRun run = TinyRun.of(settings);
        SideResult mqchat = run.report().measured();
        assertThat(run.report().baseline()).isNull();
        assertThat(mqchat.problems()).as(run.table()).isEmpty();
        assertThat(mqchat.metric(RoamingBenchmark.MQTT_SYNC)).isPositive();
        assertThat(mqchat.metric(RoamingBenchmark.REST_SYNC)).isPositive();
        assertThat(mqchat.metric("history page p99, 600 (ms)")).isPositive();
        assertThat(mqchat.metric("history page p99, 1,200 (ms)")).isPositive();
        // 600 in 3 MQTT pages of 200 and 2 REST pages of 500: every message once
        assertThat(mqchat.notes()).contains("synced: MQTT 600 messages in 3 pages of up to 200, REST 600 in 2 pages of up to 500");
        assertThat(run.table()).startsWith("Roaming: ").contains("goal: MQTT sync, all under 1000 ms").doesNotContain("acked msgs/s");
    }
}
