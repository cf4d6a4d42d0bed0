package io.mqchat.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The group scenario's options and checks, without a broker. */
class GroupFanOutBenchmarkTest {

    private static final String CONV = "g:gbench-t";

    @Test
    void groupScenarioHasItsOwnDefaultsAndLimits() {
        BenchSettings s = CommandLineSettings.of("--scenario", "group", "--inflight", "1", "--rate", "20");
        assertThat(s.problems()).isEmpty();
        assertThat(s.group()).isEqualTo(new GroupSettings(1_000, 4, 0));
        assertThat(s.messages()).isEqualTo(50);
        assertThat(s.warmup()).isEqualTo(5);
        assertThat(s.senders()).isEqualTo(4);
        assertThat(s.totalDeliveries()).isEqualTo(4L * 55 * 1_000);
        assertThat(s.describe()).contains("group of 1000 members").contains("paced at 20 msgs/s");

        BenchSettings direct = CommandLineSettings.of();
        assertThat(direct.messages()).isEqualTo(2_000);
        assertThat(direct.warmup()).isEqualTo(200);

        DirectMessageBenchmark bad = new DirectMessageBenchmark();
        new CommandLine(bad).parseArgs("--scenario", "group", "--members", "5000", "--senders", "100",
                "--messages", "20");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("refusing"));
        new CommandLine(bad).parseArgs("--scenario", "group", "--members", "3", "--senders", "4");
        assertThat(bad.settings().problems()).anyMatch(p -> p.startsWith("--senders"));
    }

    @Test
    void everyMessageAtEveryMemberOnceWithContiguousSeqsPasses() {
        GroupLedger ledger = ledger();
        int[] sentUpTo = sendAndAckAll(ledger);
        deliverAll(ledger, -1, -1);

        GroupOutcome o = ledger.check(sentUpTo, 6, 6);

        assertThat(o.problems()).isEmpty();
        assertThat(o.measuredAcked).isEqualTo(4);
        assertThat(o.measuredDelivered).isEqualTo(12);
        assertThat(o.deliveryLatency.count()).isEqualTo(12);
        assertThat(ledger.settled()).isTrue();
    }

    @Test
    void aMissingMemberDeliveryARepeatedSeqAndAStoreCountPerMemberFail() {
        GroupLedger ledger = ledger();
        int[] sentUpTo = sendAndAckAll(ledger);
        deliverAll(ledger, 2, 5); // member 2 never gets message 5

        assertThat(ledger.settled()).isFalse();
        GroupOutcome o = ledger.check(sentUpTo, 6, 18);

        assertThat(o.lostDeliveries).isEqualTo(1);
        assertThat(o.problems()).anyMatch(p -> p.startsWith("1 member deliveries of acknowledged messages missing"))
                .anyMatch(p -> p.contains("stored once, not once per member"))
                .anyMatch(p -> p.contains("acked but never delivered to g2-t: m5 of g1-t"));
    }

    @Test
    void oneCidUnderTwoIdsAndRedeliveriesAreTold() {
        GroupLedger ledger = ledger();
        int[] sentUpTo = sendAndAckAll(ledger);
        deliverAll(ledger, -1, -1);
        ledger.receiver(0).onArrival(envelope(0, "other-id", 1), System.nanoTime());
        ledger.receiver(1).onArrival(envelope(0, id(0), 1), System.nanoTime());

        GroupOutcome o = ledger.check(sentUpTo, 6, 6);

        assertThat(o.redeliveries).isEqualTo(2);
        assertThat(o.problems()).anyMatch(p -> p.contains("arrived under a second id"));
    }

    /** 3 members, the first 2 send; 1 warm-up and 2 measured messages each: messages 0-2 and 3-5. */
    private static GroupLedger ledger() {
        return new GroupLedger(CONV, "chat/g/gbench-t", List.of("g0-t", "g1-t", "g2-t"), 2, 1, 2, 5, true, 0,
                () -> { });
    }

    private static int[] sendAndAckAll(GroupLedger ledger) {
        for (GroupLedger.Sender s : ledger.senders()) {
            for (int k = 0; k < 3; k++) {
                s.window().acquireUninterruptibly();
                s.started(k);
                s.sending(k, System.nanoTime());
                s.onAck(k, System.nanoTime(), null);
            }
        }
        return new int[] {3, 3};
    }

    /** Every message to every member (seq = message + 1), except {@code skipMessage} at {@code skipMember}. */
    private static void deliverAll(GroupLedger ledger, int skipMember, int skipMessage) {
        for (int g = 0; g < 6; g++) {
            for (int m = 0; m < 3; m++) {
                if (m != skipMember || g != skipMessage) {
                    ledger.receiver(m).onArrival(envelope(g, id(g), g + 1), System.nanoTime());
                }
            }
        }
    }

    private static String id(int g) {
        return "id" + g;
    }

    private static byte[] envelope(int g, String id, long seq) {
        String from = "g" + (g / 3) + "-t";
        return ("{\"id\":\"" + id + "\",\"conv\":\"" + CONV + "\",\"seq\":" + seq + ",\"from\":\"" + from
                + "\",\"cid\":\"m" + g + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8);
    }
}
