package io.mqchat.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of this process's threads between two moments, by kind of thread: where the two cores went while
 * broker, stores and a thousand Paho clients share them. Paho's threads are named {@code MQTT Rec: {client}},
 * {@code MQTT Snd: …} and {@code MQTT Call: …}; other names are grouped with their digits masked.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final long startNanos = System.nanoTime();

    private ThreadCpu() {
        for (long id : THREADS.getAllThreadIds()) {
            startCpu.put(id, THREADS.getThreadCpuTime(id));
        }
    }

    /** Starts counting now; empty when the JVM cannot measure thread CPU time. */
    static java.util.Optional<ThreadCpu> start() {
        return THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()
                ? java.util.Optional.of(new ThreadCpu()) : java.util.Optional.empty();
    }

    static String kind(String threadName) {
        if (threadName.startsWith("MQTT ")) {
            int colon = threadName.indexOf(':');
            return "Paho " + (colon > 0 ? threadName.substring(5, colon) : threadName.substring(5));
        }
        return threadName.replaceAll("[0-9]+", "#");
    }

    /** Whether a kind of thread ({@link #kind}) is one of Paho's. */
    static boolean isPaho(String kind) {
        return kind.startsWith("Paho ");
    }

    /** Cores used on average since the start by the kinds of thread that {@code kinds} accepts. */
    double cores(java.util.function.Predicate<String> kinds) {
        long used = 0;
        for (Map.Entry<String, Long> e : usedByKind().entrySet()) {
            if (kinds.test(e.getKey())) {
                used += e.getValue();
            }
        }
        return used / (double) (System.nanoTime() - startNanos);
    }

    /** CPU nanoseconds used since the start, by kind of thread. */
    private Map<String, Long> usedByKind() {
        Map<String, Long> byKind = new HashMap<>();
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            byKind.merge(kind(info.getThreadName()), cpu - startCpu.getOrDefault(info.getThreadId(), 0L), Long::sum);
        }
        return byKind;
    }

    /** One line: the busiest kinds of thread, in cores used on average since the start. */
    String summary(int top) {
        Map<String, Long> byKind = usedByKind();
        long total = byKind.values().stream().mapToLong(Long::longValue).sum();
        double wall = System.nanoTime() - startNanos;
        Map<String, Long> sorted = new LinkedHashMap<>();
        byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "CPU of this JVM's threads in the measured phase: %.2f cores on average (Redis runs apart)", total / wall));
        sorted.forEach((k, v) -> b.append(String.format(Locale.ROOT, "; %s %.2f", k, v / wall)));
        return b.toString();
    }
}
