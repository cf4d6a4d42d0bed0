package io.mqchat.bench;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import io.mqchat.common.broadcast.Broadcasts;
import io.mqchat.common.protocol.Topics;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An operator's broadcast to everyone: {@code --registered} users exist, the first {@code --connections} of them are
 * online with one device each, subscribed to nothing but their inbox. mqchat: the bench sends the broadcast the way
 * chat-api does ({@link Broadcasts}: stored once in {@code s:all}, then one bus message; each broker node publishes
 * it to the inbox of every device connected to it). Plain HiveMQ: the same
 * devices all subscribe to one topic and a client publishes to it once at QoS 1. Measured: the time from the send
 * until every online device has it, and (mqchat) the MongoDB writes the broadcast took, counted by a command
 * listener on the client the broadcast is sent with.
 *
 * <p>The devices run in a child JVM ({@link BroadcastClients}); the bench tells it {@code go} over its standard input
 * right before it sends, and the devices' clock starts when that line is read. Warm-up broadcasts come first: the
 * extension adds the broadcast subscription asynchronously after each CONNECT, so the timed broadcasts start only
 * once one has reached every device.
 */
final class BroadcastBenchmark {

    private static final String DEVICE = "phone";
    /** plain HiveMQ: the one topic every device subscribes to. */
    static final String PLAIN_TOPIC = "bench/broadcast";
    /** Warm-up broadcasts sent beyond {@code --warmup} when none of those reached every device. */
    static final int EXTRA_WARMUPS = 5;
    private static final long ROUND_WAIT_MS = 60_000;
    /** A warm-up that has not reached every device by then is followed by another. */
    private static final long WARMUP_WAIT_MS = 15_000;
    private static final long PAUSE_MS = 1_000;

    static final String ONLINE = "devices online";
    static final String REGISTERED = "registered users";
    static final String LAST_MEDIAN = "go → last device, median (ms)";
    static final String LAST_BEST = "go → last device, best (ms)";
    static final String LAST_WORST = "go → last device, worst (ms)";
    static final String P50 = "per-device p50, median (ms)";
    static final String P99 = "per-device p99, median (ms)";
    static final String SEND_CALL = "send call, median (ms)";
    static final String REACHED = "devices reached, fewest";
    static final String BROKER_CPU = "broker JVM CPU, median (ms)";
    static final String DEVICES_CPU = "devices' JVM CPU, median (ms)";
    static final String STORED = "messages stored / broadcast";
    static final String SUMMARIES = "summary statements / broadcast";
    static final String WRITE_COMMANDS = "MongoDB write commands / bcast";
    static final String STATEMENTS = "write statements / broadcast";
    static final String CONVERSATION_DOCS = "conv. docs added / broadcast";

    private final BenchSettings s;
    private final Target target;
    private final Path workDir;
    private final String runId;
    private final PrintStream out;

    BroadcastBenchmark(BenchSettings s, Target target, Path workDir, String runId, PrintStream out) {
        this.s = s;
        this.target = target;
        this.workDir = workDir;
        this.runId = runId;
        this.out = out;
    }

    /**
     * What one broadcast wrote to MongoDB (NaN on plain HiveMQ, which stores nothing): documents added to
     * {@code messages} and {@code conversations} (by anyone), the counted client's write commands, their statements
     * (documents inserted, updates, deletes) and, of those, the statements on {@code conversations}.
     */
    record Writes(double messagesAdded, double conversationsAdded, double writeCommands, double statements,
                  double summaryStatements, double reads, String detail) {
        static final Writes NONE = new Writes(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "");
    }

    /**
     * One broadcast's outcome on the devices and what it wrote; the CPU time the bench's process (the broker, and for
     * mqchat its embedded MongoDB and the Redis client) and the devices' JVM used from go to the devices' report.
     */
    record Round(BroadcastClients.RoundResult arrivals, double sendMs, Writes writes, double brokerCpuMs,
                 double devicesCpuMs) {
    }

    SideResult run() throws Exception {
        boolean mqchat = target instanceof MqchatTarget;
        int n = s.fleet().connections();
        int registered = mqchat ? s.fleet().registered() : n;
        List<String> users = new ArrayList<>(registered);
        for (int i = 0; i < registered; i++) {
            users.add("b" + i + "-" + runId);
        }
        long t0 = System.nanoTime();
        target.createUsers(users);
        if (mqchat) {
            out.printf(Locale.ROOT, "  %s: %d users registered in %.1f s%n", target.name(), registered,
                    (System.nanoTime() - t0) / 1e9);
        }
        Path devices = workDir.resolve("broadcast-devices-" + target.name().replace(' ', '-') + ".tsv");
        IdleClients.writeDevices(devices, users.subList(0, n), DEVICE, target,
                user -> mqchat ? Topics.inbox(user) : PLAIN_TOPIC);
        users = null;

        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (BroadcastSender sender = BroadcastSender.of(target, runId);
             DeviceJvm clients = DeviceJvm.startReady("broadcast devices", BroadcastClients.class,
                     Map.of("MQCHAT_BCAST_DEVICES", devices.toString(), "MQCHAT_BCAST_BROKER", target.uri()),
                     s.maxPhaseTime().toMillis())) {
            DeviceJvm.Ready r = clients.ready();
            String connected = String.format(Locale.ROOT, "%s devices authenticated and subscribed (%s) in %s s, "
                    + "from a child JVM", r.devices(), mqchat ? "each to its inbox" : "to " + PLAIN_TOPIC, r.seconds());
            out.println("  " + target.name() + ": " + connected);
            notes.add(connected);

            int round = 0;
            int warmups = 0;
            BroadcastClients.RoundResult warm = null;
            while (warmups < s.warmup() + EXTRA_WARMUPS) {
                warm = broadcast(++round, sender, clients, WARMUP_WAIT_MS).arrivals();
                warmups++;
                out.printf(Locale.ROOT, "  %s: warm-up broadcast %d reached %d of %d devices%n", target.name(), round,
                        warm.devices(), n);
                if (warmups >= s.warmup() && warm.devices() == n) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(PAUSE_MS);
            }
            if (warm == null || warm.devices() != n) {
                problems.add("no warm-up broadcast reached every device (the last: " + (warm == null ? 0 : warm.devices())
                        + " of " + n + ")");
            } else if (warmups > s.warmup()) {
                notes.add(warmups + " warm-up broadcasts until one reached every device");
            }

            List<Round> timed = new ArrayList<>();
            for (int k = 0; k < s.messages(); k++) {
                TimeUnit.MILLISECONDS.sleep(PAUSE_MS);
                Round result = broadcast(++round, sender, clients, ROUND_WAIT_MS);
                timed.add(result);
                BroadcastClients.RoundResult a = result.arrivals();
                out.printf(Locale.ROOT, "  %s: broadcast %d: %d of %d devices, last after %.1f ms (p50 %.1f, p99 %.1f), "
                                + "send call %.1f ms%s%n", target.name(), k + 1, a.devices(), n, a.lastMs(), a.p50Ms(),
                        a.p99Ms(), result.sendMs(), mqchat ? ", " + result.writes().detail() : "");
                notes.add(String.format(Locale.ROOT, "broadcast %d: %d devices, last %.1f ms, p50 %.1f ms, p99 %.1f ms, "
                                + "send call %.1f ms, CPU %.0f ms broker JVM, %.0f ms devices' JVM, go line read %.0f µs after "
                        + "the send's clock started%s%s", k + 1, a.devices(), a.lastMs(), a.p50Ms(), a.p99Ms(),
                        result.sendMs(), result.brokerCpuMs(), result.devicesCpuMs(), a.hopMicros(),
                        a.early() > 0 ? ", " + a.early() + " devices had it before reading go" : "",
                        mqchat ? "; writes: " + result.writes().detail() : ""));
                if (a.devices() != n) {
                    problems.add("broadcast " + (k + 1) + " reached " + a.devices() + " of " + n + " devices within "
                            + ROUND_WAIT_MS / 1000 + " s");
                }
                if (mqchat && result.writes().messagesAdded() != 1) {
                    problems.add("broadcast " + (k + 1) + " added " + result.writes().messagesAdded()
                            + " documents to messages, not 1");
                }
            }
            notes.add("times are from the devices' JVM reading the bench's go line (sent right before the send call) "
                    + "to each device's arrival; the stdin hop before it is given per broadcast (not in the times)");
            notes.add("CPU: the bench's process (the broker" + (mqchat ? " with the extension, the embedded MongoDB and "
                    + "the Redis client; embedded Redis is a process of its own, not counted" : "") + ") and the devices' "
                    + "JVM (/proc, 10 ms ticks), from before go to the devices' report");
            if (mqchat) {
                notes.add("writes: MongoDB commands of the client the broadcast was sent with (the broker writes nothing "
                        + "for it: its nodes only publish), and documents added to messages and conversations by anyone");
            }
            return SideResult.measurementsOnly(target.name(), metrics(n, mqchat ? registered : -1, timed), problems, notes);
        } finally {
            Files.deleteIfExists(devices);
        }
    }

    private Round broadcast(int round, BroadcastSender sender, DeviceJvm clients, long waitMs) throws Exception {
        sender.prepare();
        clients.skipLines();
        long cpu0 = processCpuNanos();
        double devices0 = cpuMillis(Path.of("/proc", Long.toString(clients.pid()), "stat"));
        long go = System.nanoTime();
        clients.send(BroadcastClients.GO + " " + round + " " + go);
        sender.send(round);
        double sendMs = (System.nanoTime() - go) / 1e6;
        String prefix = BroadcastClients.RoundResult.PREFIX + round + " ";
        String line = clients.await(prefix, waitMs);
        if (line == null || !line.startsWith(prefix)) {
            if (line != null && line.startsWith(IdleClients.FAILED)) {
                throw new IllegalStateException("the broadcast devices failed: " + line);
            }
            clients.send(BroadcastClients.RESULT + " " + round);
            line = clients.await(prefix, 10_000);
            if (line == null || !line.startsWith(prefix)) {
                throw new IllegalStateException("the broadcast devices did not report broadcast " + round + ": " + line);
            }
        }
        long cpu1 = processCpuNanos();
        double devices1 = cpuMillis(Path.of("/proc", Long.toString(clients.pid()), "stat"));
        return new Round(BroadcastClients.RoundResult.parse(line), sendMs, sender.writes(),
                cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e6, devices1 - devices0);
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /**
     * User plus system CPU time of a process from its {@code /proc/<pid>/stat}, in ms (clock ticks taken as 10 ms,
     * Linux's usual 100 per second); NaN when it cannot be read.
     */
    static double cpuMillis(Path stat) {
        try {
            String text = Files.readString(stat, StandardCharsets.US_ASCII);
            // the command name may hold spaces and parentheses: the fields start after the last ')'
            String[] f = text.substring(text.lastIndexOf(')') + 2).strip().split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static List<SideResult.Metric> metrics(int n, int registered, List<Round> timed) {
        List<SideResult.Metric> m = new ArrayList<>();
        m.add(new SideResult.Metric(ONLINE, n, 0));
        m.add(new SideResult.Metric(REGISTERED, registered < 0 ? Double.NaN : registered, 0));
        m.add(new SideResult.Metric(LAST_MEDIAN, median(timed, r -> r.arrivals().lastMs()), 1));
        m.add(new SideResult.Metric(LAST_BEST, timed.stream().mapToDouble(r -> r.arrivals().lastMs()).min()
                .orElse(Double.NaN), 1));
        m.add(new SideResult.Metric(LAST_WORST, timed.stream().mapToDouble(r -> r.arrivals().lastMs()).max()
                .orElse(Double.NaN), 1));
        m.add(new SideResult.Metric(P50, median(timed, r -> r.arrivals().p50Ms()), 1));
        m.add(new SideResult.Metric(P99, median(timed, r -> r.arrivals().p99Ms()), 1));
        m.add(new SideResult.Metric(SEND_CALL, median(timed, Round::sendMs), 2));
        m.add(new SideResult.Metric(BROKER_CPU, median(timed, Round::brokerCpuMs), 0));
        m.add(new SideResult.Metric(DEVICES_CPU, median(timed, Round::devicesCpuMs), 0));
        m.add(new SideResult.Metric(REACHED, timed.stream().mapToInt(r -> r.arrivals().devices()).min().orElse(0), 0));
        m.add(new SideResult.Metric(STORED, median(timed, r -> r.writes().messagesAdded()), 0));
        m.add(new SideResult.Metric(SUMMARIES, median(timed, r -> r.writes().summaryStatements()), 0));
        m.add(new SideResult.Metric(WRITE_COMMANDS, median(timed, r -> r.writes().writeCommands()), 0));
        m.add(new SideResult.Metric(STATEMENTS, median(timed, r -> r.writes().statements()), 0));
        m.add(new SideResult.Metric(CONVERSATION_DOCS, median(timed, r -> r.writes().conversationsAdded()), 0));
        return m;
    }

    /** The median (the mean of the middle two for an even count); NaN for none or when any value is NaN. */
    static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> value) {
        double[] v = rounds.stream().mapToDouble(value).toArray();
        if (v.length == 0 || Arrays.stream(v).anyMatch(Double::isNaN)) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The report's closing line: both times, their ratio and what mqchat wrote; null when mqchat did not run. */
    static String summary(SideResult mqchat, SideResult plain) {
        if (mqchat == null) {
            return null;
        }
        String plainPart = plain == null ? "" : String.format(Locale.ROOT, "; plain HiveMQ (one QoS 1 publish to one "
                        + "topic): %.1f ms, mqchat/plain %.2fx", plain.metric(LAST_MEDIAN),
                mqchat.metric(LAST_MEDIAN) / plain.metric(LAST_MEDIAN));
        return String.format(Locale.ROOT, "broadcast to %,.0f registered users: every one of %,.0f online devices had "
                        + "it after %.1f ms (median)%s. Stored once: %.0f message, %.0f update statement(s) of the "
                        + "conversation summaries, %.0f MongoDB write command(s), %.0f write statement(s) per broadcast, "
                        + "%.0f conversation document(s) added — nothing per user.",
                mqchat.metric(REGISTERED), mqchat.metric(ONLINE), mqchat.metric(LAST_MEDIAN), plainPart,
                mqchat.metric(STORED), mqchat.metric(SUMMARIES), mqchat.metric(WRITE_COMMANDS), mqchat.metric(STATEMENTS),
                mqchat.metric(CONVERSATION_DOCS));
    }

    /** The text of a round's broadcast, with the marker the devices look for. */
    static String text(int round) {
        return "Maintenance tonight from 02:00 UTC; chat stays up. [" + BroadcastClients.MARKER + round + ";]";
    }

    /** Counts the write commands (and the statements in them) a MongoDB client sends, per command and collection. */
    static final class WriteCounter implements CommandListener {

        private final Map<String, int[]> writes = new TreeMap<>();
        private int reads;

        record Snapshot(int writeCommands, int statements, int reads, Map<String, int[]> byCommand) {
            /** Write statements on this collection (a document inserted, an update or a delete each). */
            int statementsIn(String collection) {
                return byCommand.entrySet().stream().filter(e -> e.getKey().endsWith(" " + collection))
                        .mapToInt(e -> e.getValue()[1]).sum();
            }

            String detail() {
                StringBuilder b = new StringBuilder();
                byCommand.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(v[0]).append(" ").append(k)
                        .append(" (").append(v[1]).append(v[1] == 1 ? " statement)" : " statements)"));
                return (b.isEmpty() ? "no writes" : b.toString()) + (reads > 0 ? ", " + reads + " reads" : "");
            }
        }

        synchronized void reset() {
            writes.clear();
            reads = 0;
        }

        synchronized Snapshot snapshot() {
            Map<String, int[]> copy = new TreeMap<>();
            writes.forEach((k, v) -> copy.put(k, v.clone()));
            return new Snapshot(copy.values().stream().mapToInt(v -> v[0]).sum(),
                    copy.values().stream().mapToInt(v -> v[1]).sum(), reads, copy);
        }

        @Override
        public void commandStarted(CommandStartedEvent event) {
            count(event.getCommandName(), event.getCommand());
        }

        /** One command: writes with their statements ({@code documents}, {@code updates}, {@code deletes}), or a read. */
        synchronized void count(String name, BsonDocument command) {
            String statements = switch (name) {
                case "insert" -> "documents";
                case "update" -> "updates";
                case "delete" -> "deletes";
                case "findAndModify" -> "";
                default -> null;
            };
            if (statements == null) {
                if (name.equals("find") || name.equals("aggregate") || name.equals("count") || name.equals("distinct")) {
                    reads++;
                }
                return;
            }
            BsonValue collection = command.get(name);
            String key = name + " " + (collection != null && collection.isString() ? collection.asString().getValue() : "?");
            int docs = statements.isEmpty() ? 1 : command.containsKey(statements) ? command.getArray(statements).size() : 0;
            int[] c = writes.computeIfAbsent(key, k -> new int[2]);
            c[0]++;
            c[1] += docs;
        }
    }
}
