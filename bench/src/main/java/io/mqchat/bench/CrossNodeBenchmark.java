package io.mqchat.bench;

import io.mqchat.common.protocol.Topics;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What cross-node delivery costs: the direct pairs ({@link LoadRun}, with its checks) on mqchat with two broker
 * nodes on the same MongoDB and Redis — node 1 in this process ({@link MqchatTarget}), node 2 in a child JVM
 * ({@link PeerNode}). First the baseline, every receiver on its sender's node 1; then the measured side,
 * senders on node 1 and receivers on node 2, so that every delivery goes node 1 → Redis bus → node 2.
 *
 * <p>Node 2 runs during both sides: while another node is alive, node 1 forwards each delivery (to the
 * receiver, and the sender's copy) whether or not anyone on node 2 wants it, so the baseline pays the
 * forwarding's Redis publishes too and the difference is the path across. Before the first side a probe
 * pair (sender on node 1, receiver on node 2, its own conversation) shows that node 1 knows node 2.
 */
final class CrossNodeBenchmark {

    static final String SAME_NODE = "same node";
    static final String ACROSS_NODES = "across nodes";
    private static final long PROBE_EVERY_MS = 500;
    private static final int MAX_PROBES = 60;

    private CrossNodeBenchmark() {
    }

    static BenchmarkReport run(BenchSettings s, Path workDir, String runId, PrintStream out) throws Exception {
        out.println("cross-node: starting node 1 in this process (" + (s.mongoUri() == null
                ? "H2 file mongo in " + workDir : "external mongo") + ")");
        try (MqchatTarget node1 = MqchatTarget.start(s, workDir)) {
            out.println("cross-node: starting node 2 in a child JVM on node 1's MongoDB and Redis");
            long t0 = System.nanoTime();
            try (PeerNode node2 = PeerNode.start(s, node1, workDir, out)) {
                out.printf(Locale.ROOT, "  node 2: accepting connections at %s after %.1f s%n", node2.uri(),
                        (System.nanoTime() - t0) / 1e9);
                int probes = awaitForwarding(s, node1, node2, runId);
                out.println("  node 1 → node 2 delivery works (probe " + probes + " arrived)");
                SideResult same = null;
                if (!s.acrossFirst()) {
                    same = side(s, node1, node1, node2, SAME_NODE, runId + "a", out);
                }
                SideResult across = side(s, node1, node2, node2, ACROSS_NODES, runId + "b", out);
                if (s.acrossFirst()) {
                    same = side(s, node1, node1, node2, SAME_NODE, runId + "a", out);
                }
                return new BenchmarkReport(s, across, same);
            }
        }
    }

    /** One side, with the forwarding counters of both nodes over it (warm-up included). */
    private static SideResult side(BenchSettings s, MqchatTarget node1, BenchClient.Connector receivers, PeerNode node2,
                                   String label, String runId, PrintStream out) throws Exception {
        long forwardedBefore = node1.counter(PeerNode.FORWARDED);
        long[] node2Before = node2.counters();
        SideResult r = new LoadRun(s, node1, receivers, label, runId, out).run();
        long forwarded = node1.counter(PeerNode.FORWARDED) - forwardedBefore;
        long[] node2After = node2.counters();
        List<String> notes = new ArrayList<>(r.notes());
        notes.add(0, "mqchat.bus.forwarded on node 1 during this side (warm-up included): " + forwarded
                + (node2Before == null || node2After == null ? "; node 2 did not report its counters"
                : "; mqchat.bus.forwards.received on node 2: " + (node2After[1] - node2Before[1])
                + "; node 2 forwarded: " + (node2After[0] - node2Before[0])));
        notes.add(1, "the extension's timers below cover node 1 since it started (both sides so far, warm-ups included)");
        return r.withNotes(notes);
    }

    /**
     * Publishes probes from node 1 to a receiver on node 2 until one arrives; node 1 knows of node 2 when
     * node 2 announced itself, or at its next read of the node list. Fails after {@link #MAX_PROBES}.
     *
     * @return the number of the probe that arrived first
     */
    static int awaitForwarding(BenchSettings s, MqchatTarget node1, PeerNode node2, String runId) throws Exception {
        String sender = "ps-" + runId;
        String receiver = "pr-" + runId;
        node1.createUsers(List.of(sender, receiver));
        CountDownLatch arrived = new CountDownLatch(1);
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (BenchClient r = BenchClient.connect(s.mqtt3(), node2, receiver, "desktop", 10, s.tcpNoDelay(),
                (payload, t) -> arrived.countDown(), errors::add);
             BenchClient p = BenchClient.connect(s.mqtt3(), node1, sender, "phone", 10, s.tcpNoDelay(),
                     (payload, t) -> { }, errors::add)) {
            r.subscribe(Topics.inbox(receiver));
            for (int i = 1; i <= MAX_PROBES; i++) {
                p.publish(Topics.inbox(receiver), ("{\"cid\":\"probe" + i + "\",\"body\":\"probe\"}")
                        .getBytes(StandardCharsets.UTF_8), (t, failure) -> {
                            if (failure != null) {
                                errors.add("probe refused: " + failure);
                            }
                        });
                if (arrived.await(PROBE_EVERY_MS, TimeUnit.MILLISECONDS)) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no probe from node 1 reached node 2 within "
                + MAX_PROBES * PROBE_EVERY_MS / 1000 + " s; node 1 does not forward to node 2"
                + (errors.isEmpty() ? "" : " (" + errors.get(0) + ")"));
    }
}
