package io.mqchat.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.broker.BrokerConfig;
import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.embedded.EmbeddedBroker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A second mqchat broker node in a child JVM: embedded HiveMQ with the extension, on the first node's MongoDB
 * and Redis and with its JWT secret, so that the same access tokens log in on both nodes. Nothing else (no
 * chat-api, no stores of its own).
 *
 * <p>The parent talks to the child over its standard streams: the child prints {@code ready <uri>} once it
 * accepts connections, answers {@code counters} with {@code counters <forwarded> <received>} (its
 * {@code mqchat.bus.*} counters), and stops when its standard input closes — also when the parent dies
 * without stopping it.
 */
final class PeerNode implements BenchClient.Connector, AutoCloseable {

    static final String READY = "ready ";
    static final String COUNTERS = "counters";
    static final String FORWARDED = "mqchat.bus.forwarded";
    static final String FORWARDS_RECEIVED = "mqchat.bus.forwards.received";

    private final BenchClient.Connector credentials;
    private final AtomicReference<CompletableFuture<long[]>> countersAnswer = new AtomicReference<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final PrintStream out;
    private ChildJvm child;
    private volatile String uri;

    private PeerNode(BenchClient.Connector credentials, PrintStream out) {
        this.credentials = credentials;
        this.out = out;
    }

    /** Starts node 2 on node 1's stores and waits until it accepts MQTT connections. */
    static PeerNode start(BenchSettings s, MqchatTarget node1, Path workDir, PrintStream out) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MQCHAT_MONGO_URI", node1.mongoUri());
        env.put("MQCHAT_REDIS_ADDRESS", node1.redisAddress());
        env.put("MQCHAT_JWT_SECRET", node1.jwtSecret());
        env.put("MQCHAT_DATA_DIR", workDir.resolve("node2").toString());
        env.put("MQCHAT_BENCH_INFLIGHT", Integer.toString(s.inflight()));
        env.put("MQCHAT_STORE_TIMEOUT_MS", Long.toString(s.storeTimeout().toMillis()));
        env.put("MQCHAT_STORE_BATCH_SIZE", Integer.toString(s.storeBatchSize()));
        env.put("MQCHAT_STORE_WRITERS", Integer.toString(s.storeWriters()));
        PeerNode node = new PeerNode(node1, out);
        node.child = ChildJvm.start("node 2", PeerNode.class, "512m", env, node::onLine);
        try {
            node.uri = node.ready.get(120, TimeUnit.SECONDS);
            return node;
        } catch (Exception e) {
            node.close();
            throw new IllegalStateException("node 2 did not start: " + e.getMessage(), e);
        }
    }

    /** Node 2's command line (see {@link ChildJvm#command}). */
    static List<String> command(String java, String classPath, boolean bootJar, String heap) {
        return ChildJvm.command(java, classPath, bootJar, heap, PeerNode.class);
    }

    /** One line of node 2's output; null when it ended. */
    private void onLine(String line) {
        if (line == null) {
            ready.completeExceptionally(new IllegalStateException("node 2 exited before it was ready"));
        } else if (line.startsWith(READY)) {
            ready.complete(line.substring(READY.length()).strip());
        } else if (line.startsWith(COUNTERS + " ")) {
            String[] v = line.split(" ");
            CompletableFuture<long[]> answer = countersAnswer.getAndSet(null);
            if (answer != null) {
                answer.complete(new long[] {Long.parseLong(v[1]), Long.parseLong(v[2])});
            }
        } else {
            out.println("  node 2: " + line);
        }
    }

    /** Node 2's {@code mqchat.bus.forwarded} and {@code mqchat.bus.forwards.received}, or null if it does not answer. */
    long[] counters() {
        CompletableFuture<long[]> answer = new CompletableFuture<>();
        countersAnswer.set(answer);
        try {
            child.send(COUNTERS);
            return answer.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public String uri() {
        return uri;
    }

    /** The same tokens log in on both nodes (same secret, device logins in the shared Redis). */
    @Override
    public BenchClient.Credentials credentials(String user, String device) {
        return credentials.credentials(user, device);
    }

    /** Closes node 2's standard input (it stops its broker and exits), then kills it if it does not. */
    @Override
    public void close() {
        child.close();
    }

    /** The child: node 2. Stops when standard input ends. */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Metrics.addRegistry(meters);
        Path home = Path.of(env.get("MQCHAT_DATA_DIR"));
        BrokerConfig config = BrokerConfig.of(env.get("MQCHAT_MONGO_URI"), env.get("MQCHAT_REDIS_ADDRESS"),
                env.get("MQCHAT_JWT_SECRET")).withStore(Duration.ofMillis(Long.parseLong(env.get("MQCHAT_STORE_TIMEOUT_MS"))),
                Integer.parseInt(env.get("MQCHAT_STORE_BATCH_SIZE")), Integer.parseInt(env.get("MQCHAT_STORE_WRITERS")))
                .withLimits(BrokerConfig.Limits.none());
        ChatExtensionMain extension = new ChatExtensionMain(config);
        EmbeddedBroker broker = EmbeddedBroker.start(home.resolve("hivemq"),
                PlainTarget.brokerSettings(Integer.parseInt(env.get("MQCHAT_BENCH_INFLIGHT"))), extension, true);
        int code = 0;
        try {
            if (!extension.isRunning()) {
                System.out.println("the mqchat extension did not start: " + extension.startFailure().orElse("unknown"));
                code = 1;
                return;
            }
            System.out.println(READY + broker.tcpUri());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals(COUNTERS)) {
                    System.out.println(COUNTERS + " " + count(meters, FORWARDED) + " " + count(meters, FORWARDS_RECEIVED));
                    System.out.flush();
                }
            }
        } finally {
            broker.close();
            System.exit(code);
        }
    }

    private static long count(SimpleMeterRegistry meters, String name) {
        Counter c = meters.find(name).counter();
        return c == null ? 0 : Math.round(c.count());
    }
}
