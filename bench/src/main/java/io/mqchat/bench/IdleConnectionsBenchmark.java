package io.mqchat.bench;

import io.mqchat.common.protocol.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an idle connection costs the broker: N devices connect (mqchat: with real access tokens), subscribe to their
 * inboxes and stay idle; the broker's heap after a full GC and the process's RSS are taken before they connect and
 * after they have been idle for a while.
 *
 * <p>The clients must not be counted: they run in a child JVM ({@link IdleClients}, a minimal MQTT client without a
 * thread per connection), so this process holds the broker (and for mqchat its embedded MongoDB and the Redis
 * client) and nothing of the devices. Users are created and tokens issued before the first measurement, so that
 * what the stores keep of them is not counted as the connections' either.
 */
final class IdleConnectionsBenchmark {

    private static final String DEVICE = "desktop";
    static final String CONNECTIONS = "idle connections open";
    static final String HEAP_BEFORE = "heap after GC, before (MB)";
    static final String HEAP_AFTER = "heap after GC, idle (MB)";
    static final String HEAP_PER_CONNECTION = "heap per connection (KB)";
    static final String RSS_BEFORE = "RSS, before (MB)";
    static final String RSS_AFTER = "RSS, idle (MB)";
    static final String RSS_PER_CONNECTION = "RSS per connection (KB)";
    static final String CLIENTS_RSS = "clients' JVM RSS (MB)";
    /** The goal: an idle mqchat connection costs at most this much more broker heap than one on plain HiveMQ. */
    static final double HEAP_GOAL_RATIO = 1.5;

    private final BenchSettings s;
    private final Target target;
    private final Path workDir;
    private final String runId;
    private final PrintStream out;

    IdleConnectionsBenchmark(BenchSettings s, Target target, Path workDir, String runId, PrintStream out) {
        this.s = s;
        this.target = target;
        this.workDir = workDir;
        this.runId = runId;
        this.out = out;
    }

    /** Heap used after a full GC and the process's resident set, in bytes (RSS -1 where /proc is missing). */
    record Memory(long heapUsed, long rss) {
        static Memory ofThisProcess() {
            // two collections: the first may leave what finalization and reference processing free
            System.gc();
            System.gc();
            return new Memory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    rss(Path.of("/proc/self/status")));
        }

        /** {@code VmRSS} of a {@code /proc/<pid>/status} file, in bytes; -1 when it cannot be read. */
        static long rss(Path status) {
            try {
                for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }
    }

    SideResult run() throws Exception {
        int n = s.fleet().connections();
        List<String> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            users.add("i" + i + "-" + runId);
        }
        target.createUsers(users);
        Path devices = workDir.resolve("idle-devices-" + target.name().replace(' ', '-') + ".tsv");
        IdleClients.writeDevices(devices, users, DEVICE, target, Topics::inbox);
        users = null; // nothing of the devices stays in this process's heap

        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Memory before = Memory.ofThisProcess();
        try (DeviceJvm clients = DeviceJvm.startReady("idle clients", IdleClients.class,
                Map.of("MQCHAT_IDLE_DEVICES", devices.toString(), "MQCHAT_IDLE_BROKER", target.uri()),
                s.maxPhaseTime().toMillis())) {
            DeviceJvm.Ready r = clients.ready();
            String connected = String.format(Locale.ROOT, "%s connections authenticated and subscribed in %s s "
                    + "(%.0f/s, from a child JVM)", r.devices(), r.seconds(),
                    Integer.parseInt(r.devices()) / Math.max(1e-3, Double.parseDouble(r.seconds())));
            out.println("  " + target.name() + ": " + connected);
            notes.add(connected);
            // idle is the point: what the broker does some time after a CONNECT belongs to the connection's cost
            TimeUnit.MILLISECONDS.sleep(s.fleet().idleFor().toMillis());
            clients.send(IdleClients.STATUS);
            String status = clients.await(IdleClients.STATUS + " ", 30_000);
            Memory idle = Memory.ofThisProcess();
            long clientsRss = Memory.rss(Path.of("/proc", Long.toString(clients.pid()), "status"));
            if (status == null || !status.startsWith(IdleClients.STATUS + " ")) {
                throw new IllegalStateException("the idle clients did not tell their status: " + status);
            }
            String[] st = status.substring(IdleClients.STATUS.length() + 1).split(" ");
            int open = Integer.parseInt(st[0]);
            long closedByBroker = Long.parseLong(st[1]);
            if (open != n) {
                problems.add((n - open) + " of " + n + " connections were not open after idling "
                        + s.fleet().idleFor().toSeconds() + " s (" + closedByBroker + " closed by the broker)");
            }
            notes.add("heap and RSS are this process's (the broker's; mqchat: with its embedded MongoDB and the Redis "
                    + "client); per connection = (idle - before) / " + n);
            notes.add("the clients sent " + st[2] + " PINGREQs and received " + st[3] + " bytes before their last sweep "
                    + "(2 per PINGRESP; more means the broker sent the idle devices something)");
            List<SideResult.Metric> metrics = metrics(n, open, before, idle, clientsRss);
            out.printf(Locale.ROOT, "  %s: %d connections: broker heap %.1f → %.1f MB (%.1f KB each), RSS %.0f → %.0f MB%n",
                    target.name(), open, mb(before.heapUsed()), mb(idle.heapUsed()),
                    (idle.heapUsed() - before.heapUsed()) / 1024.0 / n, mb(before.rss()), mb(idle.rss()));
            return SideResult.measurementsOnly(target.name(), metrics, problems, notes);
        } finally {
            Files.deleteIfExists(devices);
        }
    }

    private static List<SideResult.Metric> metrics(int n, int open, Memory before, Memory idle, long clientsRss) {
        List<SideResult.Metric> m = new ArrayList<>();
        m.add(new SideResult.Metric(CONNECTIONS, open, 0));
        m.add(new SideResult.Metric(HEAP_BEFORE, mb(before.heapUsed()), 1));
        m.add(new SideResult.Metric(HEAP_AFTER, mb(idle.heapUsed()), 1));
        m.add(new SideResult.Metric(HEAP_PER_CONNECTION, (idle.heapUsed() - before.heapUsed()) / 1024.0 / n, 2));
        if (before.rss() > 0 && idle.rss() > 0) {
            m.add(new SideResult.Metric(RSS_BEFORE, mb(before.rss()), 0));
            m.add(new SideResult.Metric(RSS_AFTER, mb(idle.rss()), 0));
            m.add(new SideResult.Metric(RSS_PER_CONNECTION, (idle.rss() - before.rss()) / 1024.0 / n, 2));
        }
        if (clientsRss > 0) {
            m.add(new SideResult.Metric(CLIENTS_RSS, mb(clientsRss), 0));
        }
        return m;
    }

    /** The goal's verdict for the report, or null when a side is missing. */
    static String goal(SideResult mqchat, SideResult plain) {
        if (mqchat == null || plain == null) {
            return null;
        }
        double ratio = mqchat.metric(HEAP_PER_CONNECTION) / plain.metric(HEAP_PER_CONNECTION);
        return String.format(Locale.ROOT, "goal: broker heap per idle connection at most %.1fx plain HiveMQ's: "
                + "%.2fx, %s", HEAP_GOAL_RATIO, ratio, ratio <= HEAP_GOAL_RATIO ? "met" : "NOT met");
    }

    private static double mb(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
