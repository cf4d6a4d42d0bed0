package io.mqchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.mqchat.bench.SenderLedger.ACK_FAILED;
import static io.mqchat.bench.SenderLedger.ACK_NONE;
import static io.mqchat.bench.SenderLedger.ACK_OK;

/**
 * Everything one group run sent and received, and the checks on it. Sender {@code i}'s message {@code k} is
 * message {@code g = i * perSender + k} of the run, with cid {@code m{g}}; its messages below {@code warmup} are
 * not measured. Readiness probes (cid {@code p{j}}, sent before the warm-up) only tell when every member's
 * connection receives the group; they take seqs and are stored like any message.
 *
 * <p>Every member has one connection. Every acknowledged message must reach every connection exactly once after
 * dedupe (by the server's {@code id} on mqchat, by cid on plain HiveMQ), the sender's own connection included;
 * on mqchat every connection must see the same id and seq for it, and the seqs of the conversation must be
 * exactly 1..n.
 */
final class GroupLedger {


    final String conv;
    final String topic;
    final int warmup;
    final int perSender;
    final boolean enveloped;
    private final List<String> memberIds;
    private final Sender[] senders;
    private final Receiver[] receivers;

    private final AtomicLongArray sendNanos;
    private final AtomicIntegerArray ackState;
    private final AtomicReferenceArray<String> idOf;
    private final AtomicLongArray seqOf;
    private final AtomicInteger ackedMessages = new AtomicInteger();
    private final AtomicInteger startedMessages = new AtomicInteger();
    private final AtomicLong lastMeasuredAckNanos = new AtomicLong();
    private final AtomicLong lastMeasuredDeliveryNanos = new AtomicLong();
    private final AtomicLong measuredDeliveries = new AtomicLong();
    private final Histogram ackMicros = new ConcurrentHistogram(Pair.HISTOGRAM_MAX_MICROS, 3);
    private final Histogram deliveryMicros = new ConcurrentHistogram(Pair.HISTOGRAM_MAX_MICROS, 3);
    private final AtomicInteger idConflicts = new AtomicInteger();
    private final AtomicInteger seqConflicts = new AtomicInteger();
    private final int invalidateEvery;
    private final Runnable invalidate;

    // probes: answered by the PUBACK callback of the probing client, seen by every receiver
    private final AtomicInteger probesAcked = new AtomicInteger();
    private final AtomicInteger probesFailed = new AtomicInteger();
    private final BitSet probeSeqs = new BitSet();
    private final List<String> errors = new ArrayList<>();
    private int errorCount;

    /**
     * @param memberIds       the members, senders first: member {@code i < senders} is sender {@code i}
     * @param invalidateEvery call {@code invalidate} before every this many-th message (0: never)
     */
    GroupLedger(String conv, String topic, List<String> memberIds, int senders, int warmup, int messages,
                int inflight, boolean enveloped, int invalidateEvery, Runnable invalidate) {
        this.conv = conv;
        this.topic = topic;
        this.memberIds = List.copyOf(memberIds);
        this.warmup = warmup;
        this.perSender = warmup + messages;
        this.enveloped = enveloped;
        this.invalidateEvery = invalidateEvery;
        this.invalidate = invalidate;
        int total = senders * perSender;
        this.sendNanos = new AtomicLongArray(total);
        this.ackState = new AtomicIntegerArray(total);
        this.idOf = new AtomicReferenceArray<>(total);
        this.seqOf = new AtomicLongArray(total);
        this.senders = new Sender[senders];
        for (int i = 0; i < senders; i++) {
            this.senders[i] = new Sender(i, inflight);
        }
        this.receivers = new Receiver[memberIds.size()];
        for (int r = 0; r < receivers.length; r++) {
            receivers[r] = new Receiver(memberIds.get(r), total);
        }
    }

    List<Sender> senders() {
        return List.of(senders);
    }

    Receiver receiver(int member) {
        return receivers[member];
    }

    int members() {
        return receivers.length;
    }

    static String cid(int g) {
        return Pair.cid(g);
    }

    static String probeCid(int j) {
        return "p" + j;
    }

    /** One publishing member. */
    final class Sender extends SenderLedger {
        final int index;
        private final int base;

        Sender(int index, int inflight) {
            super(GroupLedger.this.topic, new Semaphore(inflight));
            this.index = index;
            this.base = index * perSender;
        }

        String userId() {
            return memberIds.get(index);
        }

        @Override
        public String cidOf(int k) {
            return cid(base + k);
        }

        @Override
        public void started(int k) {
            super.started(k);
            if (invalidateEvery > 0 && startedMessages.incrementAndGet() % invalidateEvery == 0) {
                invalidate.run();
            }
        }

        @Override
        public void sending(int k, long nanoTime) {
            sendNanos.set(base + k, nanoTime);
        }

        @Override
        public void onAck(int k, long nanoTime, String failure) {
            int g = base + k;
            try {
                if (failure == null) {
                    if (ackState.compareAndSet(g, ACK_NONE, ACK_OK)) {
                        acked.incrementAndGet();
                        ackedMessages.incrementAndGet();
                        if (k >= warmup) {
                            ackMicros.recordValue(Pair.micros(nanoTime - sendNanos.get(g)));
                            lastMeasuredAckNanos.accumulateAndGet(nanoTime, LoadRun::latest);
                        }
                    }
                } else {
                    ackState.set(g, ACK_FAILED);
                    failed.incrementAndGet();
                    error("publish " + cid(g) + " of " + userId() + " failed: " + failure);
                }
            } finally {
                window.release();
            }
        }

        @Override
        public void onSendError(int k, Exception e) {
            ackState.set(base + k, ACK_FAILED);
            failed.incrementAndGet();
            error("publish " + cid(base + k) + " of " + userId() + " not sent: " + e);
            window.release();
        }
    }

    /** The answer to a readiness probe. */
    void onProbeAck(int j, String failure) {
        if (failure == null) {
            probesAcked.incrementAndGet();
        } else {
            probesFailed.incrementAndGet();
            error("probe " + probeCid(j) + " failed: " + failure);
        }
    }

    /** One member's connection: what arrived there. The connection's callback thread calls it. */
    final class Receiver {
        final String userId;
        private final short[] deliveries;
        private volatile int distinct;
        private volatile int highestProbe = -1;
        private int redeliveries;
        private int outOfOrder;
        private int foreign;
        private long lastSeq;
        private final int[] lastKBySender = new int[senders.length];

        Receiver(String userId, int total) {
            this.userId = userId;
            this.deliveries = new short[total];
            java.util.Arrays.fill(lastKBySender, -1);
        }

        /** The highest probe this connection received, -1 for none. */
        int highestProbe() {
            return highestProbe;
        }

        void onArrival(byte[] payload, long nanoTime) {
            JsonNode node = Pair.parse(payload, why -> {
                synchronized (this) {
                    foreign++;
                }
                error(userId + " got an unparseable payload: " + why);
            });
            if (node == null) {
                return;
            }
            String cid = node.path("cid").asText("");
            long seq = node.path("seq").asLong(-1);
            if (cid.startsWith("p")) {
                onProbe(cid, seq);
                return;
            }
            int g = Pair.parseK(cid);
            int sender = g < 0 ? -1 : g / perSender;
            if (g < 0 || sender >= senders.length || (enveloped && (!conv.equals(node.path("conv").asText())
                    || !memberIds.get(sender).equals(node.path("from").asText())))) {
                synchronized (this) {
                    foreign++;
                }
                error(userId + " got a message that is not one of the group's: " + node);
                return;
            }
            int k = g % perSender;
            if (enveloped) {
                String id = node.path("id").asText("");
                String first = idOf.compareAndExchange(g, null, id);
                if (first != null && !first.equals(id)) {
                    idConflicts.incrementAndGet();
                    error(cid + " of " + memberIds.get(sender) + " arrived under two ids: " + first + " and " + id);
                }
                long firstSeq = seqOf.compareAndExchange(g, 0, seq);
                if (firstSeq != 0 && firstSeq != seq) {
                    seqConflicts.incrementAndGet();
                    error(cid + " of " + memberIds.get(sender) + " arrived with two seqs: " + firstSeq + " and " + seq);
                }
            }
            synchronized (this) {
                if (++deliveries[g] > 1) {
                    redeliveries++;
                    return;
                }
                if (enveloped ? seq < lastSeq : k < lastKBySender[sender]) {
                    outOfOrder++;
                }
                lastSeq = Math.max(lastSeq, seq);
                lastKBySender[sender] = Math.max(lastKBySender[sender], k);
                distinct++;
            }
            if (k >= warmup) {
                deliveryMicros.recordValue(Pair.micros(nanoTime - sendNanos.get(g)));
                measuredDeliveries.incrementAndGet();
                lastMeasuredDeliveryNanos.accumulateAndGet(nanoTime, LoadRun::latest);
            }
        }

        private void onProbe(String cid, long seq) {
            int j;
            try {
                j = Integer.parseInt(cid, 1, cid.length(), 10);
            } catch (NumberFormatException e) {
                synchronized (this) {
                    foreign++;
                }
                return;
            }
            synchronized (this) {
                highestProbe = Math.max(highestProbe, j);
            }
            if (enveloped && seq > 0 && seq < Integer.MAX_VALUE) {
                synchronized (probeSeqs) {
                    probeSeqs.set((int) seq);
                }
            }
        }

        /** Distinct messages (not probes) that arrived here. */
        int distinct() {
            return distinct;
        }
    }

    private void error(String message) {
        synchronized (errors) {
            errorCount++;
            if (errors.size() < 10) {
                errors.add(message);
            }
        }
    }

    /** Every publish answered and every acked message at every member. */
    boolean settled() {
        for (Sender s : senders) {
            if (!s.answered()) {
                return false;
            }
        }
        int acked = ackedMessages.get();
        for (Receiver r : receivers) {
            if (r.distinct() < acked) {
                return false;
            }
        }
        return true;
    }

    /** Whether every member's connection received probe {@code j} or a later one. */
    boolean probeEverywhere(int j) {
        for (Receiver r : receivers) {
            if (r.highestProbe() < j) {
                return false;
            }
        }
        return true;
    }

    /** The members (indexes) whose connection has not received probe {@code j} or a later one. */
    List<Integer> withoutProbe(int j) {
        List<Integer> missing = new ArrayList<>();
        for (int m = 0; m < receivers.length; m++) {
            if (receivers[m].highestProbe() < j) {
                missing.add(m);
            }
        }
        return missing;
    }

    long lastMeasuredNanos() {
        return LoadRun.latest(lastMeasuredAckNanos.get(), lastMeasuredDeliveryNanos.get());
    }

    String pending() {
        long unanswered = 0;
        for (Sender s : senders) {
            unanswered += s.sent.get() - s.acked.get() - s.failed.get();
        }
        int acked = ackedMessages.get();
        long missing = 0;
        long membersMissing = 0;
        for (Receiver r : receivers) {
            int m = Math.max(0, acked - r.distinct());
            missing += m;
            membersMissing += m > 0 ? 1 : 0;
        }
        return unanswered + " publishes unanswered, " + missing + " member deliveries of acked messages missing (at "
                + membersMissing + " members)";
    }

    /**
     * The checks of the whole run (warm-up included) and the measured phase's numbers.
     *
     * @param sentUpTo          per sender, the first message it did not send
     * @param storedInConv      MongoDB's count of the group conversation (-1: not a storing broker)
     * @param storedFromSenders MongoDB's count of everything the senders sent, any conversation (-1: not stored)
     */
    GroupOutcome check(int[] sentUpTo, long storedInConv, long storedFromSenders) {
        GroupOutcome o = new GroupOutcome();
        BitSet seqs = new BitSet();
        int seqRepeats = 0;
        synchronized (probeSeqs) {
            seqs.or(probeSeqs);
        }
        for (int i = 0; i < senders.length; i++) {
            for (int k = 0; k < sentUpTo[i]; k++) {
                int g = i * perSender + k;
                int state = ackState.get(g);
                int reached = 0;
                for (Receiver r : receivers) {
                    synchronized (r) {
                        if (r.deliveries[g] > 0) {
                            reached++;
                            if (k >= warmup) {
                                o.measuredDelivered++;
                            }
                        } else if (state == ACK_OK) {
                            o.example("acked but never delivered to " + r.userId + ": " + cid(g) + " of "
                                    + memberIds.get(i));
                        }
                    }
                }
                if (state == ACK_OK) {
                    o.acked++;
                    if (k >= warmup) {
                        o.measuredAcked++;
                    }
                    int lost = receivers.length - reached;
                    o.lostDeliveries += lost;
                    o.messagesWithLoss += lost > 0 ? 1 : 0;
                    if (enveloped && reached > 0) {
                        long seq = seqOf.get(g);
                        if (seq <= 0 || seq >= Integer.MAX_VALUE || seqs.get((int) seq)) {
                            seqRepeats++;
                        } else {
                            seqs.set((int) seq);
                        }
                    }
                } else {
                    if (state == ACK_NONE) {
                        o.unanswered++;
                    }
                    if (reached > 0) {
                        o.deliveredWithoutAck++;
                        o.example("delivered without a successful PUBACK: " + cid(g) + " of " + memberIds.get(i));
                    }
                }
                if (k >= warmup && k < sentUpTo[i]) {
                    o.measuredSent++;
                }
            }
        }
        for (Sender s : senders) {
            o.failed += s.failed.get();
        }
        for (Receiver r : receivers) {
            synchronized (r) {
                o.redeliveries += r.redeliveries;
                o.outOfOrder += r.outOfOrder;
                o.foreign += r.foreign;
            }
        }
        o.probesAcked = probesAcked.get();
        o.probesFailed = probesFailed.get();
        o.idConflicts = idConflicts.get();
        o.seqConflicts = seqConflicts.get();
        long storable = (long) o.acked + o.probesAcked;
        if (enveloped) {
            boolean contiguous = !seqs.get(0) && seqs.cardinality() == storable && seqs.nextClearBit(1) == storable + 1;
            if (!contiguous || seqRepeats > 0) {
                o.seqProblem = conv + ": seqs are not exactly 1.." + storable + " (" + seqs.cardinality()
                        + " distinct, highest " + (seqs.length() - 1) + ", " + seqRepeats + " repeated or missing)";
            }
        }
        o.stored = storedInConv;
        if (storedInConv >= 0 && storedInConv != storable) {
            o.storeProblems.add(conv + ": MongoDB holds " + storedInConv + " messages, " + storable
                    + " were acked (" + o.acked + " messages + " + o.probesAcked + " probes)");
        }
        if (storedFromSenders >= 0 && storedFromSenders != storable) {
            o.storeProblems.add("MongoDB holds " + storedFromSenders + " messages from the senders (any conversation), "
                    + storable + " were acked: a group message must be stored once, not once per member");
        }
        o.ackLatency = SideResult.Latency.of(ackMicros);
        o.deliveryLatency = SideResult.Latency.of(deliveryMicros);
        o.measuredDeliveriesCounted = measuredDeliveries.get();
        o.lastMeasuredAckNanos = lastMeasuredAckNanos.get();
        o.lastMeasuredDeliveryNanos = lastMeasuredDeliveryNanos.get();
        synchronized (errors) {
            o.errorCount = errorCount;
            o.errors.addAll(errors);
        }
        return o;
    }
}
