package io.mqchat.bench;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM that holds a scenario's devices ({@link IdleClients}, {@link BroadcastClients}) and speaks in lines:
 * it prints {@link IdleClients#READY} once every device is connected, or {@link IdleClients#FAILED}, and then answers
 * what the bench sends it. Running the devices there keeps their heap, threads and CPU out of the broker's process.
 */
final class DeviceJvm implements AutoCloseable {

    /** The ready line's figures: devices connected and the seconds it took. */
    record Ready(String devices, String seconds) {
    }

    private final ChildJvm jvm;
    private final BlockingQueue<String> lines;
    private final Ready ready;

    private DeviceJvm(ChildJvm jvm, BlockingQueue<String> lines, Ready ready) {
        this.jvm = jvm;
        this.lines = lines;
        this.ready = ready;
    }

    /**
     * Starts {@code mainClass} (256 MB of heap) and waits up to {@code readyMillis} for its ready line.
     *
     * @throws IllegalStateException when the devices did not connect
     */
    static DeviceJvm startReady(String name, Class<?> mainClass, Map<String, String> env, long readyMillis)
            throws IOException, InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        ChildJvm jvm = ChildJvm.start(name, mainClass, "256m", env,
                line -> lines.add(line == null ? IdleClients.FAILED + "the " + name + "' JVM exited" : line));
        try {
            String line = await(lines, IdleClients.READY, readyMillis);
            if (line == null || !line.startsWith(IdleClients.READY)) {
                throw new IllegalStateException("the " + name + " did not connect: " + line);
            }
            String[] r = line.substring(IdleClients.READY.length()).split(" ");
            return new DeviceJvm(jvm, lines, new Ready(r[0], r[1]));
        } catch (InterruptedException | RuntimeException e) {
            jvm.close();
            throw e;
        }
    }

    Ready ready() {
        return ready;
    }

    /** Sends one line to the devices. */
    void send(String line) throws IOException {
        jvm.send(line);
    }

    /** Forgets the lines not read yet. */
    void skipLines() {
        lines.clear();
    }

    /** The next line starting with {@code prefix} (or a failure line), null after {@code millis}. */
    String await(String prefix, long millis) throws InterruptedException {
        return await(lines, prefix, millis);
    }

    private static String await(BlockingQueue<String> lines, String prefix, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.startsWith(prefix) || line.startsWith(IdleClients.FAILED)) {
                return line;
            }
        }
    }

    /** The child's process id, for reading its memory and CPU from {@code /proc}. */
    long pid() {
        return jvm.pid();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
