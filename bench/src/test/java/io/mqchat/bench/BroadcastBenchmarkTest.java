package io.mqchat.bench;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The broadcast scenario: options, the devices' packet reading and arrival counting, the write counter, a tiny run. */
class BroadcastBenchmarkTest {

    @Test
    void broadcastDefaultsToTenThousandUsersWithFiveThousandOnline() {
        BenchSettings s = CommandLineSettings.of("--scenario", "broadcast");
        assertThat(s.problems()).isEmpty();
        assertThat(s.fleet().connections()).isEqualTo(5_000);
        assertThat(s.fleet().registered()).isEqualTo(10_000);
        assertThat(s.messages()).isEqualTo(5);
        assertThat(s.warmup()).isEqualTo(1);
        assertThat(s.describe()).startsWith("a broadcast to 10000 registered users, 5000 devices online");

        BenchSettings idle = CommandLineSettings.of("--scenario", "idle");
        assertThat(idle.fleet().connections()).as("idle keeps its own default").isEqualTo(10_000);

        BenchSettings bad = CommandLineSettings.of("--scenario", "broadcast", "--connections", "300",
                "--registered", "200", "--warmup", "0", "--messages", "101");
        assertThat(bad.problems())
                .anyMatch(p -> p.startsWith("--registered must be between --connections (300)"))
                .anyMatch(p -> p.startsWith("--warmup"))
                .anyMatch(p -> p.startsWith("--messages (timed broadcasts)"));
        BenchSettings tooMany = CommandLineSettings.of("--scenario", "broadcast", "--connections", "20000",
                "--registered", "20000");
        assertThat(tooMany.problems()).anyMatch(p -> p.startsWith("--connections must be between 1 and 15000"));
    }

    @Test
    void takesWholePacketsAndFindsThePublishPayload() {
        byte[] payload = ("{\"body\":\"notice " + BroadcastClients.MARKER + "12;\"}").getBytes(StandardCharsets.UTF_8);
        byte[] qos1 = RawMqttConnection.publish("chat/sys/broadcast", 1, 7, payload);
        byte[] qos0 = RawMqttConnection.publish("t", 0, 0, "x".repeat(200).getBytes(StandardCharsets.UTF_8));
        byte[] pingresp = {(byte) 0xD0, 0};
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        buffer.put(qos1).put(pingresp).put(qos0, 0, 10); // the last one cut off
        buffer.flip();
        List<RawMqttConnection.Packet> packets = new ArrayList<>();

        RawMqttConnection.takePackets(buffer, packets);

        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).type()).isEqualTo(0x32);
        assertThat(packets.get(1).type()).isEqualTo(0xD0);
        assertThat(buffer.remaining()).as("the incomplete packet stays").isEqualTo(10);
        byte[] body = packets.get(0).body();
        int from = RawMqttConnection.payloadStart(packets.get(0).type(), body);
        assertThat(new String(body, from, body.length - from, StandardCharsets.UTF_8)).isEqualTo(new String(payload,
                StandardCharsets.UTF_8));
        assertThat(BroadcastClients.round(body, from, body.length)).isEqualTo(12);
        assertThat(BroadcastClients.round(body, 0, from)).as("not in the topic").isZero();

        buffer.compact().put(qos0, 10, qos0.length - 10).flip();
        packets.clear();
        RawMqttConnection.takePackets(buffer, packets);
        assertThat(packets).hasSize(1);
        assertThat(RawMqttConnection.payloadStart(packets.get(0).type(), packets.get(0).body())).as("topic, no id, "
                + "no properties").isEqualTo(2 + 1 + 1);
        assertThat(buffer.hasRemaining()).isFalse();
    }

    @Test
    void countsEachDeviceOnceFromTheGoLine() {
        BroadcastClients.Rounds rounds = new BroadcastClients.Rounds(4);
        long go = 1_000_000_000L;
        assertThat(rounds.arrived(1, 0, go - 1_000)).as("before go: counted at 0 ms").isNull();
        assertThat(rounds.go(1, go, go - 250_000)).isNull();
        assertThat(rounds.arrived(1, 1, go + 2_000_000)).isNull();
        assertThat(rounds.arrived(1, 1, go + 9_000_000)).as("a device's second arrival").isNull();
        assertThat(rounds.arrived(1, 2, go + 3_000_000)).isNull();
        assertThat(rounds.result(1).devices()).isEqualTo(3);
        String line = rounds.arrived(1, 3, go + 10_000_000);

        assertThat(line).as("the last device's arrival reports the round").isNotNull();
        BroadcastClients.RoundResult r = BroadcastClients.RoundResult.parse(line);
        assertThat(r).isEqualTo(new BroadcastClients.RoundResult(1, 4, 10.0, 2.0, 10.0, 250.0, 1));
        assertThat(rounds.result(2).devices()).as("a round nobody got").isZero();

        BroadcastClients.Rounds quick = new BroadcastClients.Rounds(1);
        assertThat(quick.arrived(5, 0, go)).as("go not read yet").isNull();
        assertThat(quick.go(5, go + 1, go)).as("reported at go").startsWith("round 5 1 ");
        assertThat(BroadcastClients.Rounds.percentile(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50)).isEqualTo(5);
        assertThat(BroadcastClients.Rounds.percentile(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99)).isEqualTo(10);
    }

    @Test
    void readsAProcessCpuTimeFromProcStat(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path stat = dir.resolve("stat");
        java.nio.file.Files.writeString(stat, "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 27000 0 12 0 "
                + "150 25 0 0 20 0 31 0 5000 4000000000 50000 18446744073709551615\n");
        assertThat(BroadcastBenchmark.cpuMillis(stat)).isEqualTo(1_750.0);
        assertThat(BroadcastBenchmark.cpuMillis(dir.resolve("missing"))).isNaN();
        assertThat(BroadcastBenchmark.cpuMillis(java.nio.file.Path.of("/proc/self/stat"))).isPositive();
    }

    @Test
    void countsWriteCommandsAndTheirDocumentsPerCollection() {
        BroadcastBenchmark.WriteCounter counter = new BroadcastBenchmark.WriteCounter();
        counter.count("insert", new BsonDocument("insert", new BsonString("messages"))
                .append("documents", new BsonArray(List.of(new BsonDocument()))));
        counter.count("update", new BsonDocument("update", new BsonString("conversations"))
                .append("updates", new BsonArray(List.of(new BsonDocument(), new BsonDocument()))));
        counter.count("find", new BsonDocument("find", new BsonString("messages")));
        counter.count("hello", new BsonDocument("hello", new BsonString("1")));

        BroadcastBenchmark.WriteCounter.Snapshot s = counter.snapshot();
        assertThat(s.writeCommands()).isEqualTo(2);
        assertThat(s.statements()).isEqualTo(3);
        assertThat(s.statementsIn("conversations")).isEqualTo(2);
        assertThat(s.reads()).isEqualTo(1);
        assertThat(s.detail()).isEqualTo("1 insert messages (1 statement), 1 update conversations (2 statements), 1 reads");
        counter.reset();
        assertThat(counter.snapshot().detail()).isEqualTo("no writes");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tinyRunReachesEveryDeviceOnBothBrokersAndStoresTheBroadcastOnce() throws Exception {
        FleetSettings fleet = new FleetSettings(1, 3, Duration.ofSeconds(1), 20, Duration.ZERO, 1_000, 0, 1, 60);
        BenchSettings settings = BenchSettings.defaults().withFleet(BenchSettings.Scenario.broadcast, fleet, 2, 1, 10,
                null);
        TinyRun run = TinyRun.of(settings).withoutProblemsOnBothSides();
        for (SideResult side : run.bothSides()) {
            assertThat(side.metric(BroadcastBenchmark.ONLINE)).as(side.name()).isEqualTo(20);
            assertThat(side.metric(BroadcastBenchmark.REACHED)).as(side.name()).isEqualTo(20);
            assertThat(side.metric(BroadcastBenchmark.LAST_MEDIAN)).as(side.name()).isPositive();
        }
        SideResult mqchat = run.report().measured();
        assertThat(mqchat.metric(BroadcastBenchmark.REGISTERED)).isEqualTo(60);
        assertThat(mqchat.metric(BroadcastBenchmark.STORED)).as(run.table()).isEqualTo(1);
        assertThat(mqchat.metric(BroadcastBenchmark.CONVERSATION_DOCS)).as(run.table()).isZero();
        assertThat(mqchat.metric(BroadcastBenchmark.SUMMARIES)).as(run.table()).isBetween(1.0, 3.0);
        assertThat(mqchat.metric(BroadcastBenchmark.WRITE_COMMANDS)).as(run.table()).isBetween(2.0, 3.0);
        assertThat(run.report().baseline().metric(BroadcastBenchmark.STORED)).isNaN();
        assertThat(run.table()).startsWith("Broadcast: ").contains(BroadcastBenchmark.LAST_MEDIAN)
                .contains("broadcast to 60 registered users").doesNotContain("acked msgs/s");
    }
}
