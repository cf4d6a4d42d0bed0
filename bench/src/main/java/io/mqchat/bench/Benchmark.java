package io.mqchat.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Locale;

/**
 * Runs the load (direct messages, group fan-out, one busy connection, many devices, idle connections or a broadcast) on mqchat, then the same load on a plain HiveMQ — one after the other, each stack
 * stopped before the next starts — and returns both results. The cross-node scenario compares two mqchat sides instead
 * ({@link CrossNodeBenchmark}).
 */
public final class Benchmark {

    private Benchmark() {
    }

    public static BenchmarkReport run(BenchSettings s, PrintStream out) throws Exception {
        if (!s.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", s.problems()));
        }
        Path workDir = Files.createTempDirectory("mqchat-bench");
        String runId = runId();
        try {
            if (s.scenario() == BenchSettings.Scenario.crossNode) {
                return CrossNodeBenchmark.run(s, workDir, runId, out);
            }
            if (s.scenario() == BenchSettings.Scenario.roaming) {
                return RoamingBenchmark.run(s, workDir, runId, out);
            }
            SideResult mqchat = null;
            SideResult plain = null;
            if (s.sides().mqchat()) {
                out.println("mqchat: starting embedded stack (" + (s.mongoUri() == null
                        ? "H2 file mongo in " + workDir : "external mongo") + ")");
                long t0 = System.nanoTime();
                try (MqchatTarget target = MqchatTarget.start(s, workDir)) {
                    out.printf(Locale.ROOT, "  mqchat: started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                    mqchat = load(s, target, workDir, runId, out);
                }
            }
            if (s.sides().plain()) {
                System.gc(); // leave the previous stack's garbage out of the baseline's pauses
                out.println("plain HiveMQ: starting embedded broker without extension");
                try (PlainTarget target = PlainTarget.start(s, workDir)) {
                    plain = load(s, target, workDir, runId, out);
                }
            }
            return new BenchmarkReport(s, mqchat, plain);
        } finally {
            deleteQuietly(workDir);
        }
    }

    /** The scenario's load on one broker. */
    private static SideResult load(BenchSettings s, Target target, Path workDir, String runId, PrintStream out)
            throws Exception {
        return switch (s.scenario()) {
            case direct, oneConnection, service, manyDevices -> new LoadRun(s, target, runId, out).run();
            case idle -> new IdleConnectionsBenchmark(s, target, workDir, runId, out).run();
            case group -> new GroupFanOutBenchmark(s, target, runId, out).run();
            case broadcast -> new BroadcastBenchmark(s, target, workDir, runId, out).run();
            case crossNode, roaming -> throw new IllegalStateException(s.scenario().cliName() + " runs its own sides");
        };
    }

    private static String runId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e);
        }
    }
}
