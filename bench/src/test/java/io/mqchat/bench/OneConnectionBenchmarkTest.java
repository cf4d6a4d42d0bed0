package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One sender connection round-robin over many inboxes: options, the round-robin mapping, and a tiny run. */
class OneConnectionBenchmarkTest {

    @Test
    void oneConnectionHasItsOwnDefaultsAndLimits() {
        BenchSettings s = CommandLineSettings.of("--scenario", "one-connection");

        assertThat(s.problems()).isEmpty();
        assertThat(s.scenario()).isEqualTo(BenchSettings.Scenario.oneConnection);
        assertThat(s.fleet().recipients()).isEqualTo(100);
        assertThat(s.inflight()).isEqualTo(100);
        assertThat(s.messages()).isEqualTo(50);
        assertThat(s.warmup()).isEqualTo(5);
        assertThat(s.senders()).isEqualTo(1);
        assertThat(s.conversations()).isEqualTo(100);
        assertThat(s.totalMessages()).isEqualTo(100L * 55);
        assertThat(s.describe()).startsWith("1 sender connection round-robin over 100 recipients x 50 msgs each")
                .contains("in-flight 100");

        DirectMessageBenchmark bad = new DirectMessageBenchmark();
        new CommandLine(bad).parseArgs("--scenario", "one-connection", "--recipients", "0", "--inflight", "1001");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("--recipients must be between 1 and 1000"))
                .anyMatch(p -> p.startsWith("--inflight"));
        new CommandLine(bad).parseArgs("--scenario", "one-connection", "--recipients", "1000", "--messages", "1000");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("refusing 1005000 messages"));
        assertThatThrownBy(() -> BenchSettings.Scenario.ofCliName("one")).hasMessageContaining("one-connection")
                .hasMessageContaining("many-devices").hasMessageContaining("idle");
    }

    @Test
    void theSendersMessagesGoToEachReceiverInTurn() {
        Semaphore window = new Semaphore(4);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pairs.add(new Pair(i, "s0-t", "r" + i + "-t", "chat/u/r" + i + "-t", "conv" + i, 1, 3, window, true, i, 3));
        }
        RoundRobinLedger ledger = new RoundRobinLedger(pairs, window);

        assertThat(ledger.topic(0)).isEqualTo("chat/u/r0-t");
        assertThat(ledger.topic(4)).isEqualTo("chat/u/r1-t");
        // the second message to r1: cids count the sender's messages, whichever receiver they go to
        assertThat(ledger.cidOf(4)).isEqualTo("m4");
        assertThat(List.of(ledger.cidOf(0), ledger.cidOf(1), ledger.cidOf(3))).doesNotHaveDuplicates();
        assertThat(ledger.first(1)).isEqualTo(3);
        // 7 messages sent: r0 got 0, 3, 6; r1 1, 4; r2 2, 5
        assertThat(List.of(ledger.sentUpTo(7, 0), ledger.sentUpTo(7, 1), ledger.sentUpTo(7, 2)))
                .containsExactly(3, 2, 2);

        window.acquireUninterruptibly(2);
        ledger.started(4);
        ledger.sending(4, System.nanoTime());
        ledger.onAck(4, System.nanoTime(), null);
        assertThat(pairs.get(1).acked.get()).isEqualTo(1);
        assertThat(pairs.get(0).acked.get()).isZero();
        assertThat(window.availablePermits()).as("the ack released the shared window").isEqualTo(3);

        // r1 takes its own m4 and refuses r0's m3 and another conversation's envelope
        pairs.get(1).onArrival(envelope("m4", "conv1", 1), System.nanoTime());
        pairs.get(1).onArrival(envelope("m3", "conv1", 2), System.nanoTime());
        pairs.get(1).onArrival(envelope("m7", "conv0", 3), System.nanoTime());
        assertThat(pairs.get(1).distinctDelivered()).isEqualTo(1);
        assertThat(pairs.get(1).check(2, -1).foreign).isEqualTo(2);

        List<Pair> ownWindows = List.of(new Pair(0, "s", "r", "t", "c", 0, 1, new Semaphore(1), true));
        assertThatThrownBy(() -> new RoundRobinLedger(ownWindows, window)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] envelope(String cid, String conv, long seq) {
        return ("{\"id\":\"id-" + cid + "\",\"conv\":\"" + conv + "\",\"seq\":" + seq
                + ",\"from\":\"s0-t\",\"cid\":\"" + cid + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void tinyRunOverOneConnectionPassesTheChecksOnBothBrokers() throws Exception {
        FleetSettings fleet = new FleetSettings(10, 3, java.time.Duration.ofSeconds(1), 1, java.time.Duration.ZERO, 1_000, 0, 1);
        BenchSettings settings = BenchSettings.defaults().withFleet(BenchSettings.Scenario.oneConnection, fleet, 5, 1,
                20, null);
        TinyRun run = TinyRun.of(settings).withoutProblemsOnBothSides();
        run.assertEachAckedAndDelivered(50);
        for (SideResult side : run.bothSides()) {
            assertThat(side.ackLatency().count()).as(side.name()).isEqualTo(50);
            assertThat(side.notes()).as(side.name()).anyMatch(n -> n.startsWith("1 sender connected"));
        }
        // 10 conversations of 6 messages (warm-up included), each stored once
        assertThat(run.report().measured().stored()).isEqualTo(60);
        assertThat(run.table()).startsWith("One sender connection: ").contains("mqchat/plain").contains("passed");
    }
}
