package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Idle connections: options, the minimal client's packets, the memory readings and a tiny run. */
class IdleConnectionsBenchmarkTest {

    @Test
    void idleHoldsConnectionsAndRefusesMoreThanTheDescriptorsAllow() {
        BenchSettings s = CommandLineSettings.of("--scenario", "idle");
        assertThat(s.problems()).isEmpty();
        assertThat(s.fleet().connections()).isEqualTo(10_000);
        assertThat(s.fleet().idleFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.senders()).isZero();
        assertThat(s.describe()).startsWith("10000 idle connections (authenticated, subscribed), held 10 s");

        BenchSettings bad = CommandLineSettings.of("--scenario", "idle", "--connections", "20000", "--idle-for", "11m");
        assertThat(bad.problems()).anyMatch(p -> p.startsWith("--connections must be between 1 and 15000"))
                .anyMatch(p -> p.startsWith("--idle-for"));
    }

    @Test
    void connectAndSubscribeAreWellFormedMqtt5() {
        byte[] connect = RawMqttConnection.connect("u:desktop", "u", "tok", 60);
        // fixed header, remaining length, "MQTT", version 5, clean start + username + password, keep-alive 60, no properties
        assertThat(connect[0]).isEqualTo((byte) 0x10);
        assertThat(connect[1] & 0xFF).isEqualTo(connect.length - 2);
        assertThat(new String(connect, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("MQTT");
        assertThat(connect[8]).isEqualTo((byte) 5);
        assertThat(connect[9] & 0xFF).isEqualTo(0xC2);
        assertThat(connect[10] << 8 | connect[11]).isEqualTo(60);
        assertThat(connect[12]).isZero();
        assertThat(new String(connect, 15, 9, StandardCharsets.UTF_8)).isEqualTo("u:desktop");
        assertThat(RawMqttConnection.connect("c", null, null, 60)[9]).as("no credentials").isEqualTo((byte) 0x02);

        byte[] subscribe = RawMqttConnection.subscribe(1, "chat/u/u");
        assertThat(subscribe).containsExactly(0x82, 14, 0, 1, 0, 0, 8, 'c', 'h', 'a', 't', '/', 'u', '/', 'u', 1);

        int[] pos = {0};
        assertThat(RawMqttConnection.varInt(new byte[] {(byte) 0x80, 0x01}, pos)).isEqualTo(128);
        assertThat(pos[0]).isEqualTo(2);
        assertThat(RawMqttConnection.varInt(new byte[] {(byte) 0x80}, new int[] {0})).isEqualTo(-1);
    }

    @Test
    void readsTheResidentSetFromProcStatus(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  204800 kB\nThreads:\t40\n");
        assertThat(IdleConnectionsBenchmark.Memory.rss(status)).isEqualTo(200L * 1024 * 1024);
        assertThat(IdleConnectionsBenchmark.Memory.rss(dir.resolve("missing"))).isEqualTo(-1);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tinyRunHoldsEveryConnectionOnBothBrokersAndTellsTheGoal() throws Exception {
        FleetSettings fleet = new FleetSettings(1, 3, Duration.ofSeconds(1), 40, Duration.ZERO, 1_000, 0, 1);
        BenchSettings settings = BenchSettings.defaults().withFleet(BenchSettings.Scenario.idle, fleet, 1, 0, 10, null);
        TinyRun run = TinyRun.of(settings).withoutProblemsOnBothSides();
        for (SideResult side : run.bothSides()) {
            assertThat(side.metric(IdleConnectionsBenchmark.CONNECTIONS)).as(side.name()).isEqualTo(40);
            assertThat(side.metric(IdleConnectionsBenchmark.HEAP_AFTER)).as(side.name()).isPositive();
            assertThat(side.metric(IdleConnectionsBenchmark.RSS_AFTER)).as(side.name()).isPositive();
            assertThat(side.metric(IdleConnectionsBenchmark.CLIENTS_RSS)).as(side.name()).isPositive();
            assertThat(side.notes()).as(side.name()).anyMatch(n -> n.startsWith("40 connections authenticated"));
        }
        assertThat(run.table()).startsWith("Idle connections: ").contains("heap per connection (KB)")
                .contains("goal: broker heap per idle connection at most 1.5x").doesNotContain("acked msgs/s");
    }
}
