package io.mqchat.bench;

import java.lang.management.ManagementFactory;
import java.util.OptionalDouble;

/**
 * CPU time of the whole JVM process between two moments (every thread, including the JIT and GC, which
 * {@link ThreadCpu} does not see), in cores used on average. The embedded Redis runs as its own process and is not
 * in it.
 */
final class ProcessCpu {

    private final long startCpuNanos;
    private final long startNanos = System.nanoTime();

    private ProcessCpu(long startCpuNanos) {
        this.startCpuNanos = startCpuNanos;
    }

    static ProcessCpu start() {
        return new ProcessCpu(cpuNanos());
    }

    /** Cores used on average since the start; empty when the JVM does not tell its process CPU time. */
    OptionalDouble cores() {
        long now = cpuNanos();
        if (now < 0 || startCpuNanos < 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((now - startCpuNanos) / (double) Math.max(1, System.nanoTime() - startNanos));
    }

    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
