package io.mqchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * One sender, one receiver, one conversation: what was sent when, what was acknowledged, what arrived.
 * Message {@code k} of the sender has cid {@code m{k}}; messages below {@code warmup} are not measured.
 */
final class Pair extends SenderLedger {

    static final long HISTOGRAM_MAX_MICROS = 600_000_000L;
    private static final int MAX_KEPT_ERRORS = 10;

    final int index;
    final String sender;
    final String receiver;
    final String conv;
    final int warmup;
    final int capacity;
    final boolean enveloped;

    private final int cidOffset;
    private final int cidStride;
    final AtomicLongArray sendNanos;
    private final AtomicIntegerArray ackState;
    private final AtomicInteger senderCopies = new AtomicInteger();
    volatile long lastMeasuredAckNanos;
    final Histogram ackMicros = new SynchronizedHistogram(HISTOGRAM_MAX_MICROS, 3);

    // Receiver side: one Paho callback thread writes, the main thread reads after the phase; guarded by this.
    private final int[] deliveriesByK;
    private final Map<String, Integer> keyToK = new HashMap<>();
    private final Map<Integer, Set<String>> idsByK = new HashMap<>();
    private final BitSet seqs = new BitSet();
    private final long[] seqByK;
    private int distinctDelivered;
    private int redeliveries;
    private int seqCollisions;
    private int outOfOrderArrivals;
    private long lastOrderKey = Long.MIN_VALUE;
    private int unparseable;
    private int foreign;
    private volatile long lastMeasuredDeliveryNanos;
    final Histogram deliveryMicros = new SynchronizedHistogram(HISTOGRAM_MAX_MICROS, 3);
    private final List<String> errors = new ArrayList<>();
    private int errorCount;

    /**
     * @param window the sender's in-flight window: its own, or one shared by every pair of a sender that publishes
     *               to several receivers over one connection
     */
    Pair(int index, String sender, String receiver, String topic, String conv, int warmup, int capacity,
         Semaphore window, boolean enveloped) {
        this(index, sender, receiver, topic, conv, warmup, capacity, window, enveloped, 0, 1);
    }

    /**
     * @param cidOffset the cid number of message 0, and {@code cidStride} the step between messages: a sender whose
     *                  messages go to several receivers numbers them across all of them, because a cid is unique
     *                  per sender (the broker takes a repeated one for a retry of the first)
     */
    Pair(int index, String sender, String receiver, String topic, String conv, int warmup, int capacity,
         Semaphore window, boolean enveloped, int cidOffset, int cidStride) {
        super(topic, window);
        this.index = index;
        this.sender = sender;
        this.receiver = receiver;
        this.conv = conv;
        this.warmup = warmup;
        this.capacity = capacity;
        this.enveloped = enveloped;
        this.cidOffset = cidOffset;
        this.cidStride = cidStride;
        this.sendNanos = new AtomicLongArray(capacity);
        this.ackState = new AtomicIntegerArray(capacity);
        this.deliveriesByK = new int[capacity];
        this.seqByK = new long[capacity];
    }

    static String cid(int k) {
        return "m" + k;
    }

    @Override
    public String cidOf(int k) {
        return cid(cidOffset + k * cidStride);
    }

    @Override
    public void sending(int k, long nanoTime) {
        sendNanos.set(k, nanoTime);
    }

    /** The sender's PUBACK (or failure) for message k. */
    @Override
    public void onAck(int k, long nanoTime, String failure) {
        try {
            if (failure == null) {
                if (ackState.compareAndSet(k, ACK_NONE, ACK_OK)) {
                    acked.incrementAndGet();
                    if (k >= warmup) {
                        ackMicros.recordValue(micros(nanoTime - sendNanos.get(k)));
                        if (nanoTime - lastMeasuredAckNanos > 0) {
                            lastMeasuredAckNanos = nanoTime;
                        }
                    }
                }
            } else {
                ackState.set(k, ACK_FAILED);
                failed.incrementAndGet();
                error("publish " + cidOf(k) + " of " + sender + " failed: " + failure);
            }
        } finally {
            window.release();
        }
    }

    /** A publish that could not even be handed to the client. */
    @Override
    public void onSendError(int k, Exception e) {
        ackState.set(k, ACK_FAILED);
        failed.incrementAndGet();
        error("publish " + cidOf(k) + " of " + sender + " not sent: " + e);
        window.release();
    }

    /** A message arrived at the receiver. */
    void onArrival(byte[] payload, long nanoTime) {
        JsonNode node = parse(payload, why -> {
            synchronized (this) {
                unparseable++;
            }
            error(receiver + " got an unparseable payload: " + why);
        });
        if (node != null) {
            onArrival(node, nanoTime);
        }
    }

    /** A delivery's JSON; null, after telling {@code unparseable} why, when it is not JSON. */
    static JsonNode parse(byte[] payload, Consumer<String> unparseable) {
        try {
            return Json.MAPPER.readTree(payload);
        } catch (Exception e) {
            unparseable.accept(e.getMessage());
            return null;
        }
    }

    /** A message arrived at the receiver, parsed already (a device that also sends tells its deliveries apart). */
    void onArrival(JsonNode node, long nanoTime) {
        String cid = node.path("cid").asText("");
        int k = localK(parseK(cid));
        synchronized (this) {
            if (k < 0 || k >= capacity || (enveloped && (!sender.equals(node.path("from").asText())
                    || !conv.equals(node.path("conv").asText())))) {
                foreign++;
                error(receiver + " got a message that is not from its sender in their conversation: cid '" + cid
                        + "', conv '" + node.path("conv").asText() + "'");
                return;
            }
            // mqchat: receivers dedupe by the server's id; plain HiveMQ has no id, so by cid.
            String key = enveloped ? node.path("id").asText("") : cid;
            deliveriesByK[k]++;
            if (keyToK.putIfAbsent(key, k) != null) {
                redeliveries++;
                return;
            }
            Set<String> ids = idsByK.computeIfAbsent(k, x -> new HashSet<>(2));
            ids.add(key);
            if (ids.size() > 1) {
                return; // the same cid stored twice under different ids: reported by the checks
            }
            distinctDelivered++;
            long orderKey = k;
            if (enveloped) {
                long seq = node.path("seq").asLong(-1);
                seqByK[k] = seq;
                orderKey = seq;
                if (seq >= 0 && seq < Integer.MAX_VALUE) {
                    if (seqs.get((int) seq)) {
                        seqCollisions++;
                    }
                    seqs.set((int) seq);
                } else {
                    seqCollisions++;
                }
            }
            if (orderKey < lastOrderKey) {
                outOfOrderArrivals++;
            }
            lastOrderKey = Math.max(lastOrderKey, orderKey);
            if (k >= warmup) {
                deliveryMicros.recordValue(micros(nanoTime - sendNanos.get(k)));
                if (nanoTime - lastMeasuredDeliveryNanos > 0) {
                    lastMeasuredDeliveryNanos = nanoTime;
                }
            }
        }
    }

    /**
     * mqchat's copy of one of this pair's messages arrived at the sending device itself (it subscribes to its own
     * inbox, as a real device does): counted, not checked, because the copy is a convenience for the sender's
     * devices, not a delivery.
     */
    void onSenderCopy() {
        senderCopies.incrementAndGet();
    }

    int senderCopies() {
        return senderCopies.get();
    }

    void error(String message) {
        synchronized (errors) {
            errorCount++;
            if (errors.size() < MAX_KEPT_ERRORS) {
                errors.add(message);
            }
        }
    }

    /** Every publish of the phase answered (acked or failed) and every acked one delivered. */
    synchronized boolean settled() {
        return answered() && distinctDelivered >= acked.get();
    }

    synchronized int distinctDelivered() {
        return distinctDelivered;
    }

    long lastMeasuredDeliveryNanos() {
        return lastMeasuredDeliveryNanos;
    }

    /** The outcome of the checks for this pair, given the count MongoDB holds for its conversation (or -1). */
    synchronized Check check(int sentUpTo, long storedCount) {
        Check c = new Check();
        int ackedTotal = 0;
        long prevSeq = Long.MIN_VALUE;
        for (int k = 0; k < sentUpTo; k++) {
            int state = ackState.get(k);
            Set<String> ids = idsByK.get(k);
            int distinctIds = ids == null ? 0 : ids.size();
            if (state == ACK_OK) {
                ackedTotal++;
                if (k >= warmup) {
                    c.measuredAcked++;
                }
                if (distinctIds == 0) {
                    c.lost++;
                    c.example("acked but never delivered: " + sender + " " + cidOf(k));
                }
            } else {
                if (state == ACK_NONE) {
                    c.unanswered++;
                }
                if (distinctIds > 0) {
                    c.deliveredWithoutAck++;
                    c.example("delivered without a successful PUBACK: " + sender + " " + cidOf(k));
                }
            }
            if (distinctIds > 1) {
                c.storedTwice++;
                c.example("one cid delivered under " + distinctIds + " different ids: " + sender + " " + cidOf(k));
            }
            if (k >= warmup && distinctIds > 0) {
                c.measuredDelivered++;
            }
            if (enveloped && distinctIds > 0) {
                if (seqByK[k] < prevSeq) {
                    c.seqNotInSendOrder++;
                }
                prevSeq = Math.max(prevSeq, seqByK[k]);
            }
        }
        c.redeliveries = redeliveries;
        c.outOfOrderArrivals = outOfOrderArrivals;
        c.foreign = foreign + unparseable;
        if (enveloped) {
            int n = ackedTotal;
            boolean contiguous = !seqs.get(0) && seqs.cardinality() == n && seqs.nextClearBit(1) == n + 1;
            if (!contiguous || seqCollisions > 0) {
                c.seqProblems++;
                c.example(conv + ": seqs are not exactly 1.." + n + " (" + seqs.cardinality() + " distinct, highest "
                        + (seqs.length() - 1) + ", " + seqCollisions + " repeated)");
            }
        }
        if (storedCount >= 0 && storedCount != ackedTotal) {
            c.storeMismatch++;
            c.example(conv + ": MongoDB holds " + storedCount + " messages, " + ackedTotal + " were acked");
        }
        c.stored = storedCount;
        synchronized (errors) {
            c.errorCount = errorCount;
            c.errors.addAll(errors);
        }
        return c;
    }

    /** This pair's message number of a cid number, or -1 when it is none of this pair's. */
    private int localK(int cidNumber) {
        if (cidNumber < cidOffset || (cidNumber - cidOffset) % cidStride != 0) {
            return -1;
        }
        return (cidNumber - cidOffset) / cidStride;
    }

    /** The number in a cid {@code m{k}}, or -1. */
    static int parseK(String cid) {
        if (cid.length() < 2 || cid.charAt(0) != 'm') {
            return -1;
        }
        try {
            return Integer.parseInt(cid, 1, cid.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static long micros(long nanos) {
        return Math.max(0, Math.min(HISTOGRAM_MAX_MICROS, nanos / 1_000));
    }

    /** Per-pair check results, summed by {@link LoadRun}. */
    static final class Check {
        int measuredAcked;
        int measuredDelivered;
        int lost;
        int unanswered;
        int deliveredWithoutAck;
        int storedTwice;
        int seqProblems;
        int seqNotInSendOrder;
        int storeMismatch;
        int redeliveries;
        int outOfOrderArrivals;
        int foreign;
        long stored;
        int errorCount;
        final List<String> examples = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        void example(String text) {
            if (examples.size() < 5) {
                examples.add(text);
            }
        }
    }
}
