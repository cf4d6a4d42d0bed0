package io.mqchat.bench;

import io.mqchat.bench.SendLoop.Phase;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Topics;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives one broker: connects receivers (subscribed to their inboxes) and senders, runs the warm-up
 * phase and the measured phase, and checks what arrived and what was stored.
 *
 * <p>Each sender runs on its own thread and keeps up to {@code inflight} QoS 1 publishes outstanding
 * (a semaphore released by the PUBACK callback). A phase ends when every publish was answered and every
 * acknowledged message arrived, or at its time limit.
 */
final class LoadRun {

    private static final String SENDER_DEVICE = "phone";
    private static final String RECEIVER_DEVICE = "desktop";

    private final BenchSettings s;
    private final Target target;
    private final BenchClient.Connector receiverNode;
    private final String label;
    private final String runId;
    private final PrintStream out;
    private final List<Pair> pairs = new ArrayList<>();
    private final int[] sentUpTo;
    private final ConcurrentLinkedQueue<String> connectionErrors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connectionErrorCount = new AtomicInteger();
    private final SendLoop sendLoop;

    LoadRun(BenchSettings s, Target target, String runId, PrintStream out) {
        this(s, target, target, target.name(), runId, out);
    }

    /**
     * @param receiverNode where the receivers connect (the senders connect to {@code target}): another broker
     *                     node on the same stores for cross-node delivery
     * @param label        the side's name in the report
     */
    LoadRun(BenchSettings s, Target target, BenchClient.Connector receiverNode, String label, String runId,
            PrintStream out) {
        this.s = s;
        this.target = target;
        this.receiverNode = receiverNode;
        this.label = label;
        this.runId = runId;
        this.out = out;
        this.sentUpTo = new int[s.pairs()];
        this.sendLoop = new SendLoop(s.payloadBytes());
    }

    SideResult run() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < s.pairs(); i++) {
            String sender = "s" + i + "-" + runId;
            String receiver = "r" + i + "-" + runId;
            users.add(sender);
            users.add(receiver);
            pairs.add(new Pair(i, sender, receiver, Topics.inbox(receiver),
                    ConversationId.direct(sender, receiver).toString(), s.warmup(), s.warmup() + s.messages(),
                    s.inflight(), target.enveloped()));
        }
        target.createUsers(users);
        List<BenchClient> senders = new ArrayList<>();
        List<BenchClient> receivers = new ArrayList<>();
        int clientInflight = Math.min(65_535, Math.max(10, 2 * s.inflight()));
        try {
            for (Pair p : pairs) {
                BenchClient r = BenchClient.connect(s.mqtt3(), receiverNode, p.receiver, RECEIVER_DEVICE, clientInflight,
                        s.tcpNoDelay(), p::onArrival, this::connectionError);
                receivers.add(r);
                r.subscribe(p.topic);
            }
            for (Pair p : pairs) {
                senders.add(BenchClient.connect(s.mqtt3(), target, p.sender, SENDER_DEVICE, clientInflight,
                        s.tcpNoDelay(), (payload, t) -> connectionError(p.sender + " received a message on its own inbox"),
                        this::connectionError));
            }
            if (s.warmup() > 0) {
                Phase warm = runPhase(senders, 0, s.warmup(), null);
                out.printf(Locale.ROOT, "  %s: warm-up of %d messages done in %.1f s%s%n", label,
                        (long) s.warmup() * s.pairs(), warm.seconds(), warm.complete() ? "" : " (INCOMPLETE)");
            }
            Phase measured = runPhase(senders, s.warmup(), s.warmup() + s.messages(), s.duration());
            out.printf(Locale.ROOT, "  %s: measured phase done in %.1f s%s%n", label, measured.seconds(),
                    measured.complete() ? "" : " (INCOMPLETE)");
            return result(measured);
        } finally {
            senders.forEach(BenchClient::close);
            receivers.forEach(BenchClient::close);
        }
    }

    private void connectionError(String description) {
        if (connectionErrorCount.incrementAndGet() <= 10) {
            connectionErrors.add(description);
        }
    }

    private Phase runPhase(List<BenchClient> senders, int fromK, int toK, java.time.Duration duration)
            throws InterruptedException {
        Phase phase = sendLoop.phase(pairs, senders, fromK, toK, fromK >= s.warmup(), duration, s.rate(),
                s.maxPhaseTime(), sentUpTo, new SendLoop.Progress() {
                    @Override
                    public boolean settled() {
                        return pairs.stream().allMatch(Pair::settled);
                    }

                    @Override
                    public long lastMeasuredNanos() {
                        long last = 0;
                        for (Pair p : pairs) {
                            last = latest(latest(last, p.lastMeasuredAckNanos), p.lastMeasuredDeliveryNanos());
                        }
                        return last;
                    }

                    @Override
                    public String pending() {
                        long unanswered = 0;
                        long undelivered = 0;
                        for (Pair p : pairs) {
                            unanswered += p.sent.get() - p.acked.get() - p.failed.get();
                            undelivered += Math.max(0, p.acked.get() - p.distinctDelivered());
                        }
                        return unanswered + " publishes unanswered, " + undelivered + " acked messages not delivered";
                    }
                });
        if (incompleteNote == null) {
            incompleteNote = phase.incomplete();
        }
        return phase;
    }

    private String incompleteNote;

    /** The later of two {@code nanoTime}s, 0 meaning none. */
    static long latest(long a, long b) {
        if (a == 0 || b == 0) {
            return a == 0 ? b : a;
        }
        return b - a > 0 ? b : a;
    }

    private SideResult result(Phase measured) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Histogram ack = new Histogram(Pair.HISTOGRAM_MAX_MICROS, 3);
        Histogram delivery = new Histogram(Pair.HISTOGRAM_MAX_MICROS, 3);
        long measuredSent = 0;
        long measuredAcked = 0;
        long measuredDelivered = 0;
        long failed = 0;
        long lost = 0;
        long unanswered = 0;
        long deliveredWithoutAck = 0;
        long storedTwice = 0;
        long seqProblems = 0;
        long seqNotInSendOrder = 0;
        long storeMismatch = 0;
        long redeliveries = 0;
        long outOfOrder = 0;
        long foreign = 0;
        long stored = target.enveloped() ? 0 : -1;
        long errorCount = 0;
        List<String> examples = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            long storedCount = target.storedCount(p.conv);
            Pair.Check c = p.check(sentUpTo[i], storedCount);
            ack.add(p.ackMicros);
            delivery.add(p.deliveryMicros);
            measuredSent += Math.max(0, sentUpTo[i] - s.warmup());
            measuredAcked += c.measuredAcked;
            measuredDelivered += c.measuredDelivered;
            failed += p.failed.get();
            lost += c.lost;
            unanswered += c.unanswered;
            deliveredWithoutAck += c.deliveredWithoutAck;
            storedTwice += c.storedTwice;
            seqProblems += c.seqProblems;
            seqNotInSendOrder += c.seqNotInSendOrder;
            storeMismatch += c.storeMismatch;
            redeliveries += c.redeliveries;
            outOfOrder += c.outOfOrderArrivals;
            foreign += c.foreign;
            if (storedCount >= 0) {
                stored += storedCount;
            }
            errorCount += c.errorCount;
            for (String e : c.examples) {
                if (examples.size() < 8) {
                    examples.add(e);
                }
            }
            for (String e : c.errors) {
                if (errors.size() < 8) {
                    errors.add(e);
                }
            }
        }
        if (measured.incomplete() != null || incompleteNote != null) {
            problems.add(incompleteNote != null ? incompleteNote : measured.incomplete());
        }
        if (measuredAcked == 0) {
            problems.add("no measured message was acknowledged");
        }
        if (failed > 0) {
            problems.add(failed + " publishes refused or failed");
        }
        if (unanswered > 0) {
            problems.add(unanswered + " publishes never answered");
        }
        if (lost > 0) {
            problems.add(lost + " acknowledged messages never delivered");
        }
        if (deliveredWithoutAck > 0) {
            problems.add(deliveredWithoutAck + " messages delivered without a successful PUBACK");
        }
        if (storedTwice > 0) {
            problems.add(storedTwice + " messages delivered under two different ids (stored twice)");
        }
        if (seqProblems > 0) {
            problems.add(seqProblems + " conversations whose seqs are not exactly 1..acked (gap or repeat)");
        }
        if (storeMismatch > 0) {
            problems.add(storeMismatch + " conversations whose MongoDB count differs from the acked count");
        }
        if (foreign > 0) {
            problems.add(foreign + " deliveries that were unparseable or not from the receiver's sender");
        }
        if (connectionErrorCount.get() > 0) {
            problems.add(connectionErrorCount.get() + " connection errors, e.g. " + connectionErrors.peek());
        }
        if (!problems.isEmpty()) {
            examples.forEach(e -> problems.add("  e.g. " + e));
            if (errorCount > 0) {
                problems.add("  " + errorCount + " client-side errors, first ones:");
                errors.forEach(e -> problems.add("    " + e));
            }
        }
        if (redeliveries > 0) {
            notes.add(redeliveries + " redeliveries removed by dedupe (at-least-once delivery)");
        }
        if (outOfOrder > 0) {
            notes.add(outOfOrder + " arrivals out of order (a lower " + (target.enveloped() ? "seq" : "send index")
                    + " after a higher one in the same conversation)");
        }
        if (seqNotInSendOrder > 0) {
            notes.add(seqNotInSendOrder + " messages got a lower seq than one their sender published before them");
        }
        notes.addAll(target.internals());
        double seconds = measured.seconds();
        double ackSeconds = secondsTo(measured.startNanos(), pairs.stream().mapToLong(p -> p.lastMeasuredAckNanos).toArray());
        double deliverySeconds = secondsTo(measured.startNanos(),
                pairs.stream().mapToLong(Pair::lastMeasuredDeliveryNanos).toArray());
        return new SideResult(label, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries,
                outOfOrder, ackSeconds > 0 ? measuredAcked / ackSeconds : 0,
                deliverySeconds > 0 ? measuredDelivered / deliverySeconds : 0, SideResult.Latency.of(ack),
                SideResult.Latency.of(delivery), seconds, stored, List.copyOf(problems), List.copyOf(notes),
                measuredAcked);
    }

    static double secondsTo(long start, long[] ends) {
        long last = start;
        for (long e : ends) {
            if (e != 0) {
                last = latest(last, e);
            }
        }
        return (last - start) / 1e9;
    }
}
