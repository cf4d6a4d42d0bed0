package io.mqchat.bench;

import io.mqchat.bench.SendLoop.Phase;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Topics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Group fan-out on one broker: one group of {@code members} users, each connected with one device, the first
 * {@code senders} of them publishing QoS 1 to the group's topic. mqchat stores each message once and delivers
 * it to every member's device, which the broker subscribed at CONNECT; on plain HiveMQ each member subscribes
 * to the same topic itself.
 *
 * <p>Order of a side: users and the group are created, the members connect in parallel batches, then
 * readiness probes are published until one reaches every member (a server-side subscription may take effect
 * after the CONNACK); then the warm-up phase and the measured phase, as in {@link LoadRun}.
 */
final class GroupFanOutBenchmark {

    private static final String DEVICE = "desktop";
    private static final long PROBE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** Probes (3 s apart) after which a member the broker did not subscribe fails the run. */
    private static final int SERVER_SUBSCRIBE_PROBES = 10;

    private final BenchSettings s;
    private final Target target;
    private final String runId;
    private final PrintStream out;
    private final SendLoop sendLoop;
    private final ConcurrentLinkedQueue<String> connectionErrors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connectionErrorCount = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();
    private String warmupProblem;
    private String readinessProblem;

    GroupFanOutBenchmark(BenchSettings s, Target target, String runId, PrintStream out) {
        this.s = s;
        this.target = target;
        this.runId = runId;
        this.out = out;
        this.sendLoop = new SendLoop(s.payloadBytes());
    }

    /** The group's members: {@code g{i}-{runId}}, the senders first. */
    static List<String> memberIds(int members, String runId) {
        List<String> ids = new ArrayList<>(members);
        for (int i = 0; i < members; i++) {
            ids.add("g" + i + "-" + runId);
        }
        return ids;
    }

    SideResult run() throws Exception {
        GroupSettings g = s.group();
        String groupId = "gbench-" + runId;
        List<String> members = memberIds(g.members(), runId);
        GroupLedger ledger = new GroupLedger(ConversationId.group(groupId).toString(), Topics.group(groupId), members,
                g.senders(), s.warmup(), s.messages(), s.inflight(), target.enveloped(), g.invalidateEvery(),
                () -> target.groupChanged(groupId));
        target.createUsers(members);
        target.createGroup(groupId, members);
        try (ParallelConnect connect = new ParallelConnect()) {
            List<BenchClient> byMember = connectAll(connect, ledger, members);
            int probes = awaitReady(byMember, ledger);
            notes.add(probes + " readiness probe(s) published before every member received the group");
            List<BenchClient> senders = byMember.subList(0, g.senders());
            int[] sentUpTo = new int[g.senders()];
            if (s.warmup() > 0) {
                Phase warm = phase(ledger, senders, 0, s.warmup(), false, null, sentUpTo);
                out.printf(Locale.ROOT, "  %s: warm-up of %d messages done in %.1f s%s%n", target.name(),
                        (long) s.warmup() * g.senders(), warm.seconds(), warm.complete() ? "" : " (INCOMPLETE)");
                if (!warm.complete()) {
                    warmupProblem = "warm-up " + warm.incomplete();
                }
            }
            java.util.Optional<ThreadCpu> cpu = ThreadCpu.start();
            Phase measured = phase(ledger, senders, s.warmup(), s.warmup() + s.messages(), true, s.duration(), sentUpTo);
            cpu.ifPresent(c -> notes.add(c.summary(8)));
            out.printf(Locale.ROOT, "  %s: measured phase done in %.1f s%s%n", target.name(), measured.seconds(),
                    measured.complete() ? "" : " (INCOMPLETE)");
            return result(ledger, measured, sentUpTo);
        }
    }

    /** Connects every member (and subscribes it, where the broker does not), a batch at a time. */
    private List<BenchClient> connectAll(ParallelConnect connect, GroupLedger ledger, List<String> members)
            throws Exception {
        int clientInflight = Math.min(65_535, Math.max(10, 2 * s.inflight()));
        boolean subscribe = !target.subscribesGroupMembers();
        List<Callable<BenchClient>> tasks = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            GroupLedger.Receiver receiver = ledger.receiver(i);
            String user = members.get(i);
            tasks.add(() -> {
                BenchClient c = BenchClient.connect(s.mqtt3(), target, user, DEVICE, clientInflight, s.tcpNoDelay(),
                        receiver::onArrival, this::connectionError);
                if (subscribe) {
                    c.subscribe(ledger.topic);
                }
                return c;
            });
        }
        List<BenchClient> clients = new ArrayList<>();
        String line = connect.timed(tasks, "members", clients).describe("members")
                + (subscribe ? ", each subscribed itself" : ", subscribed by the broker");
        out.println("  " + target.name() + ": " + line);
        notes.add(line);
        return clients;
    }

    /**
     * Publishes probes from the first member until one reached every member's connection; returns how many
     * were published. Members that the broker did not subscribe within {@value #SERVER_SUBSCRIBE_PROBES} probes are
     * a failed check; they then subscribe themselves (members may), so that the run can go on. Fails when the
     * phase time limit passes first.
     */
    private int awaitReady(List<BenchClient> clients, GroupLedger ledger) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + s.maxPhaseTime().toNanos();
        boolean selfSubscribed = !target.subscribesGroupMembers();
        for (int j = 0; System.nanoTime() - deadline < 0; j++) {
            int probe = j;
            clients.get(0).publish(ledger.topic, sendLoop.payload(GroupLedger.probeCid(j)),
                    (now, failure) -> ledger.onProbeAck(probe, failure));
            if (SendLoop.awaitUntil(() -> ledger.probeEverywhere(probe),
                    Math.min(deadline, System.nanoTime() + PROBE_WAIT_NANOS))) {
                out.printf(Locale.ROOT, "  %s: probe %d reached all %d members %.1f s after the last CONNACK%n",
                        target.name(), j, ledger.members(), (System.nanoTime() - t0) / 1e9);
                return j + 1;
            }
            List<Integer> missing = ledger.withoutProbe(probe);
            out.printf(Locale.ROOT, "  %s: probe %d missed %d members (%s), probing again%n", target.name(), j,
                    missing.size(), describe(missing, ledger, 5));
            if (!selfSubscribed && j + 1 >= SERVER_SUBSCRIBE_PROBES) {
                selfSubscribed = true;
                readinessProblem = missing.size() + " of " + ledger.members() + " members never received the group's "
                        + "messages after " + (j + 1) + " probes (" + (System.nanoTime() - t0) / 1_000_000_000
                        + " s): the broker did not subscribe them at CONNECT: " + describe(missing, ledger, 10)
                        + "; they then subscribed themselves for the rest of the run";
                out.println("  " + target.name() + ": FAILED CHECK: " + readinessProblem);
                for (int m : missing) {
                    clients.get(m).subscribe(ledger.topic);
                }
            }
        }
        throw new IllegalStateException("after " + s.maxPhaseTime().toSeconds()
                + " s of probing, some members still do not receive the group's messages");
    }

    /** The first members of the list with the broker's view of their subscriptions (where it has one). */
    private String describe(List<Integer> members, GroupLedger ledger, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(max, members.size()); i++) {
            String clientId = ledger.receiver(members.get(i)).userId + ":" + DEVICE;
            b.append(i == 0 ? "" : ", ").append(clientId);
            target.subscriptionsOf(clientId).ifPresent(subs -> b.append(" [broker: subscribed to ").append(subs)
                    .append(']'));
        }
        return members.size() > max ? b.append(", …").toString() : b.toString();
    }

    private Phase phase(GroupLedger ledger, List<BenchClient> senders, int fromK, int toK, boolean measured,
                        java.time.Duration duration, int[] sentUpTo) throws InterruptedException {
        return sendLoop.phase(ledger.senders(), senders, fromK, toK, measured, duration, s.rate(), s.maxPhaseTime(),
                sentUpTo, new SendLoop.Progress() {
                    @Override
                    public boolean settled() {
                        return ledger.settled();
                    }

                    @Override
                    public long lastMeasuredNanos() {
                        return ledger.lastMeasuredNanos();
                    }

                    @Override
                    public String pending() {
                        return ledger.pending();
                    }
                });
    }

    private void connectionError(String description) {
        if (connectionErrorCount.incrementAndGet() <= 10) {
            connectionErrors.add(description);
        }
    }

    private SideResult result(GroupLedger ledger, Phase measured, int[] sentUpTo) {
        List<String> senderIds = ledger.senders().stream().map(GroupLedger.Sender::userId).toList();
        GroupOutcome o = ledger.check(sentUpTo, target.storedCount(ledger.conv),
                target.storedFrom(senderIds));
        List<String> problems = new ArrayList<>();
        if (readinessProblem != null) {
            problems.add(readinessProblem);
        }
        if (warmupProblem != null) {
            problems.add(warmupProblem);
        }
        if (measured.incomplete() != null) {
            problems.add(measured.incomplete());
        }
        if (connectionErrorCount.get() > 0) {
            problems.add(connectionErrorCount.get() + " connection errors, e.g. " + connectionErrors.peek());
        }
        problems.addAll(o.problems());
        List<String> sideNotes = new ArrayList<>(notes);
        if (o.redeliveries > 0) {
            sideNotes.add(o.redeliveries + " member redeliveries removed by dedupe (at-least-once delivery)");
        }
        if (o.outOfOrder > 0) {
            sideNotes.add(o.outOfOrder + " member arrivals out of order (a lower "
                    + (target.enveloped() ? "seq" : "send index of the same sender") + " after a higher one)");
        }
        if (o.stored >= 0) {
            sideNotes.add("MongoDB: " + o.stored + " messages in " + ledger.conv + " = " + o.acked + " acked + "
                    + o.probesAcked + " probes, one document per message for " + ledger.members() + " members");
        }
        sideNotes.addAll(target.internals());
        double ackSeconds = LoadRun.secondsTo(measured.startNanos(), new long[] {o.lastMeasuredAckNanos});
        double deliverySeconds = LoadRun.secondsTo(measured.startNanos(), new long[] {o.lastMeasuredDeliveryNanos});
        return new SideResult(target.name(), o.measuredSent, o.measuredAcked, o.measuredDelivered, o.failed,
                o.redeliveries, o.outOfOrder, ackSeconds > 0 ? o.measuredAcked / ackSeconds : 0,
                deliverySeconds > 0 ? o.measuredDeliveriesCounted / deliverySeconds : 0, o.ackLatency,
                o.deliveryLatency, measured.seconds(), o.stored, List.copyOf(problems), List.copyOf(sideNotes),
                o.measuredAcked * ledger.members());
    }
}
