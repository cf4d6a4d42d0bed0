package io.mqchat.bench;

import io.mqchat.bench.SendLoop.Phase;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Topics;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives one broker with direct messages: connects receivers (subscribed to their inboxes) and senders, runs the
 * warm-up phase and the measured phase, and checks what arrived and what was stored. Every conversation is one
 * {@link Pair} (one sender, one receiver) with its own checks, whichever way the senders are connected:
 *
 * <ul>
 *   <li>{@link Shape#PAIRS}: a sender connection and a receiver connection per pair, each sender on its own thread
 *       keeping up to {@code inflight} QoS 1 publishes outstanding (a semaphore released by the PUBACK callback);
 *   <li>{@link Shape#ONE_SENDER}: one sender connection for every pair, round-robin over the receivers, with one
 *       window of {@code inflight} for the connection ({@link RoundRobinLedger});
 *   <li>{@link Shape#RING}: one connection per device, which both sends (to the next device) and receives (from the
 *       previous one, and mqchat's copies of its own messages); one pacing thread sends for all devices.
 * </ul>
 *
 * A phase ends when every publish was answered and every acknowledged message arrived, or at its time limit.
 */
final class LoadRun {

    private static final String SENDER_DEVICE = "phone";
    private static final String RECEIVER_DEVICE = "desktop";
    /** The service scenario's sender: instance {@code game-1} of a service account. */
    private static final String SERVICE_INSTANCE = "game-1";

    /** How the senders and receivers of the pairs are connected. */
    enum Shape {
        PAIRS, ONE_SENDER, RING;

        static Shape of(BenchSettings.Scenario scenario) {
            return switch (scenario) {
                case oneConnection, service -> ONE_SENDER;
                case manyDevices -> RING;
                default -> PAIRS;
            };
        }
    }

    private final BenchSettings s;
    private final Shape shape;
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
    private final List<String> notes = new ArrayList<>();
    private final List<SideResult.Metric> metrics = new ArrayList<>();
    private RoundRobinLedger roundRobin;

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
        this.shape = Shape.of(s.scenario());
        this.target = target;
        this.receiverNode = receiverNode;
        this.label = label;
        this.runId = runId;
        this.out = out;
        this.sentUpTo = new int[s.conversations()];
        this.sendLoop = new SendLoop(s.payloadBytes());
    }

    /** The users of conversation {@code i}: sender and receiver. */
    private String[] users(int i, int n) {
        return switch (shape) {
            case PAIRS -> new String[] {"s" + i + "-" + runId, "r" + i + "-" + runId};
            case ONE_SENDER -> new String[] {"s0-" + runId, "r" + i + "-" + runId};
            case RING -> new String[] {device(i), device((i + 1) % n)};
        };
    }

    private String device(int i) {
        return "d" + i + "-" + runId;
    }

    SideResult run() throws Exception {
        int n = s.conversations();
        Semaphore sharedWindow = new Semaphore(s.inflight());
        java.util.Set<String> users = new java.util.LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            String[] u = users(i, n);
            users.add(u[0]);
            users.add(u[1]);
            pairs.add(new Pair(i, u[0], u[1], Topics.inbox(u[1]), ConversationId.direct(u[0], u[1]).toString(),
                    s.warmup(), s.warmup() + s.messages(),
                    shape == Shape.ONE_SENDER ? sharedWindow : new Semaphore(s.inflight()), target.enveloped(),
                    shape == Shape.ONE_SENDER ? i : 0, shape == Shape.ONE_SENDER ? n : 1));
        }
        if (shape == Shape.ONE_SENDER) {
            roundRobin = new RoundRobinLedger(pairs, sharedWindow);
        }
        target.createUsers(List.copyOf(users));
        try (ParallelConnect connect = new ParallelConnect()) {
            List<BenchClient> senders = connect(connect);
            if (s.warmup() > 0) {
                Phase warm = runPhase(senders, 0, s.warmup(), false);
                out.printf(Locale.ROOT, "  %s: warm-up of %d messages done in %.1f s%s%n", label,
                        (long) s.warmup() * n, warm.seconds(), warm.complete() ? "" : " (INCOMPLETE)");
            }
            Optional<ThreadCpu> threadCpu = shape == Shape.RING ? ThreadCpu.start() : Optional.empty();
            ProcessCpu cpu = ProcessCpu.start();
            Phase measured = runPhase(senders, s.warmup(), s.warmup() + s.messages(), true);
            cpu.cores().ifPresent(c -> metrics.add(new SideResult.Metric("process CPU, measured (cores)", c, 2)));
            threadCpu.ifPresent(t -> {
                metrics.add(new SideResult.Metric("of it Paho threads (cores)", t.cores(ThreadCpu::isPaho), 2));
                notes.add(t.summary(8));
            });
            out.printf(Locale.ROOT, "  %s: measured phase done in %.1f s%s%n", label, measured.seconds(),
                    measured.complete() ? "" : " (INCOMPLETE)");
            return result(measured).withMetrics(metrics);
        }
    }

    /**
     * Connects every client: receivers first (subscribed to their inboxes), then the senders; returns the sending
     * client of each ledger the phases run.
     */
    private List<BenchClient> connect(ParallelConnect connect) throws Exception {
        int clientInflight = Math.min(65_535, Math.max(10, 2 * s.inflight()));
        int n = pairs.size();
        List<java.util.concurrent.Callable<BenchClient>> receivers = new ArrayList<>();
        List<java.util.concurrent.Callable<BenchClient>> senders = new ArrayList<>();
        switch (shape) {
            case PAIRS, ONE_SENDER -> {
                for (Pair p : pairs) {
                    receivers.add(() -> subscribed(BenchClient.connect(s.mqtt3(), receiverNode, p.receiver,
                            RECEIVER_DEVICE, clientInflight, s.tcpNoDelay(), p::onArrival, this::connectionError),
                            p.topic));
                }
                boolean service = s.scenario() == BenchSettings.Scenario.service;
                BenchClient.Connector senderNode = service ? target.asService() : target;
                for (Pair p : shape == Shape.PAIRS ? pairs : pairs.subList(0, 1)) {
                    senders.add(() -> BenchClient.connect(s.mqtt3(), senderNode, p.sender,
                            service ? SERVICE_INSTANCE : SENDER_DEVICE, clientInflight,
                            s.tcpNoDelay(), (payload, t) -> connectionError(p.sender
                                    + " received a message on its own inbox"), this::connectionError));
                }
            }
            case RING -> {
                // device i sends pair i and receives pair i - 1; it subscribes to its own inbox, so on mqchat the
                // copies of what it sent arrive there too
                for (int i = 0; i < n; i++) {
                    Pair own = pairs.get(i);
                    Pair incoming = pairs.get((i + n - 1) % n);
                    senders.add(() -> subscribed(BenchClient.connect(s.mqtt3(), target, own.sender, SENDER_DEVICE,
                            clientInflight, s.tcpNoDelay(), (payload, t) -> onDeviceArrival(own, incoming, payload, t),
                            this::connectionError), Topics.inbox(own.sender)));
                }
            }
        }
        List<BenchClient> connected = new ArrayList<>();
        if (!receivers.isEmpty()) {
            notes.add(connect.timed(receivers, "receivers", connected).describe("receivers"));
        }
        List<BenchClient> sending = new ArrayList<>();
        ParallelConnect.Timing timing = connect.timed(senders, shape == Shape.RING ? "devices" : "senders", sending);
        if (shape != Shape.PAIRS) {
            String line = timing.describe(shape == Shape.RING ? "devices" : "senders");
            out.println("  " + label + ": " + line);
            notes.add(line);
        }
        return sending;
    }

    private static BenchClient subscribed(BenchClient client, String topic) throws Exception {
        try {
            client.subscribe(topic);
            return client;
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    /** What a device's inbox got: a message of the previous device, or (mqchat) the copy of one it sent. */
    private void onDeviceArrival(Pair own, Pair incoming, byte[] payload, long nanoTime) {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = io.mqchat.common.protocol.Json.MAPPER.readTree(payload);
        } catch (Exception e) {
            incoming.onArrival(payload, nanoTime); // counted and reported there as unparseable
            return;
        }
        if (target.enveloped() && own.sender.equals(node.path("from").asText())) {
            own.onSenderCopy();
        } else {
            incoming.onArrival(node, nanoTime);
        }
    }

    private void connectionError(String description) {
        if (connectionErrorCount.incrementAndGet() <= 10) {
            connectionErrors.add(description);
        }
    }

    /** One phase over messages {@code fromK..toK-1} of every pair, the way the shape sends them. */
    private Phase runPhase(List<BenchClient> senders, int fromK, int toK, boolean measured)
            throws InterruptedException {
        SendLoop.Progress progress = new SendLoop.Progress() {
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
        };
        java.time.Duration duration = measured ? s.duration() : null;
        Phase phase = switch (shape) {
            case PAIRS -> sendLoop.phase(pairs, senders, fromK, toK, measured, duration, s.rate(), s.maxPhaseTime(),
                    sentUpTo, progress);
            case ONE_SENDER -> {
                int[] sent = new int[1];
                Phase p = sendLoop.phase(List.of(roundRobin), senders, roundRobin.first(fromK), roundRobin.first(toK),
                        measured, duration, s.rate(), s.maxPhaseTime(), sent, progress);
                for (int i = 0; i < pairs.size(); i++) {
                    sentUpTo[i] = roundRobin.sentUpTo(sent[0], i);
                }
                yield p;
            }
            case RING -> {
                SendLoop.PacedPhase paced = sendLoop.pacedPhase(pairs, senders, fromK, toK, measured,
                        s.fleet().sendEvery(), s.maxPhaseTime(), sentUpTo, progress);
                if (measured) {
                    metrics.add(new SideResult.Metric("pacer lag max (ms)", paced.maxLagNanos() / 1e6, 1));
                }
                yield paced.phase();
            }
        };
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
        if (shape == Shape.RING && target.enveloped()) {
            long copies = pairs.stream().mapToLong(Pair::senderCopies).sum();
            long ackedAll = pairs.stream().mapToLong(p -> p.acked.get()).sum();
            notes.add("copies of their own messages at the sending devices (all phases): " + copies + " of " + ackedAll
                    + " acked (not checked: live copies may be dropped, sync has them)");
        }
        notes.addAll(target.internals());
        double seconds = measured.seconds();
        double ackSeconds = secondsTo(measured.startNanos(), pairs.stream().mapToLong(p -> p.lastMeasuredAckNanos).toArray());
        double deliverySeconds = secondsTo(measured.startNanos(),
                pairs.stream().mapToLong(Pair::lastMeasuredDeliveryNanos).toArray());
        return new SideResult(label, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries,
                outOfOrder, ackSeconds > 0 ? measuredAcked / ackSeconds : 0,
                deliverySeconds > 0 ? measuredDelivered / deliverySeconds : 0, SideResult.Latency.of(ack),
                SideResult.Latency.of(delivery), seconds, stored, List.copyOf(problems), allNotes(notes),
                measuredAcked);
    }

    /** The connection notes first, then the checks' notes. */
    private List<String> allNotes(List<String> checkNotes) {
        List<String> all = new ArrayList<>(this.notes);
        all.addAll(checkNotes);
        return List.copyOf(all);
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
