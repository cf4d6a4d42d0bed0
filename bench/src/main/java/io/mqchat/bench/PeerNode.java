package io.mqchat.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.broker.BrokerConfig;
import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.embedded.EmbeddedBroker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    private final Process process;
    private final BenchClient.Connector credentials;
    private final OutputStream toChild;
    private final Thread shutdownHook;
    private final AtomicReference<CompletableFuture<long[]>> countersAnswer = new AtomicReference<>();
    private volatile String uri;

    private PeerNode(Process process, BenchClient.Connector credentials) {
        this.process = process;
        this.credentials = credentials;
        this.toChild = process.getOutputStream();
        this.shutdownHook = new Thread(process::destroyForcibly, "bench-stop-node-2");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts node 2 on node 1's stores and waits until it accepts MQTT connections. */
    static PeerNode start(BenchSettings s, MqchatTarget node1, Path workDir, PrintStream out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), bootLoaded(), "512m"));
        Map<String, String> env = pb.environment();
        env.put("MQCHAT_MONGO_URI", node1.mongoUri());
        env.put("MQCHAT_REDIS_ADDRESS", node1.redisAddress());
        env.put("MQCHAT_JWT_SECRET", node1.jwtSecret());
        env.put("MQCHAT_DATA_DIR", workDir.resolve("node2").toString());
        env.put("MQCHAT_BENCH_INFLIGHT", Integer.toString(s.inflight()));
        env.put("MQCHAT_STORE_TIMEOUT_MS", Long.toString(s.storeTimeout().toMillis()));
        env.put("MQCHAT_STORE_BATCH_SIZE", Integer.toString(s.storeBatchSize()));
        env.put("MQCHAT_STORE_WRITERS", Integer.toString(s.storeWriters()));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        PeerNode node = new PeerNode(pb.start(), node1);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> node.readChild(ready, out), "bench-node-2-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            node.uri = ready.get(120, TimeUnit.SECONDS);
            return node;
        } catch (Exception e) {
            node.close();
            throw new IllegalStateException("node 2 did not start: " + e.getMessage(), e);
        }
    }

    /**
     * The child's command line. From the bench's Spring Boot jar the classes are nested, so the jar's
     * {@code PropertiesLauncher} starts this class ({@code loader.main}); from a plain class path, {@code java}
     * does.
     */
    static List<String> command(String java, String classPath, boolean bootJar, String heap) {
        List<String> c = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=mqchat-bench-logback.xml", "-cp", classPath));
        if (bootJar) {
            c.add("-Dloader.main=" + PeerNode.class.getName());
            c.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            c.add(PeerNode.class.getName());
        }
        return c;
    }

    private static boolean bootLoaded() {
        return PeerNode.class.getClassLoader().getClass().getName().startsWith("org.springframework.boot.loader");
    }

    private void readChild(CompletableFuture<String> ready, PrintStream out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(READY)) {
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
        } catch (IOException | RuntimeException e) {
            out.println("  node 2: output not readable: " + e);
        }
        ready.completeExceptionally(new IllegalStateException("node 2 exited before it was ready"));
    }

    /** Node 2's {@code mqchat.bus.forwarded} and {@code mqchat.bus.forwards.received}, or null if it does not answer. */
    long[] counters() {
        CompletableFuture<long[]> answer = new CompletableFuture<>();
        countersAnswer.set(answer);
        try {
            synchronized (toChild) {
                toChild.write((COUNTERS + "\n").getBytes(StandardCharsets.UTF_8));
                toChild.flush();
            }
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

    /** Closes the child's standard input (it stops its broker and exits), then kills it if it does not. */
    @Override
    public void close() {
        try {
            toChild.close();
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("bench: node 2 did not stop within 30 s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down; the hook runs anyway
        }
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
