package io.mqchat.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Connects (and disconnects) many clients a batch at a time: a thousand one after the other take minutes, and all
 * at once only queue up in the broker's authentication. Everything it connected is closed with it.
 */
final class ParallelConnect implements AutoCloseable {

    static final int THREADS = 16;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "bench-connect");
        t.setDaemon(true);
        return t;
    });
    private final List<BenchClient> connected = Collections.synchronizedList(new ArrayList<>());

    /** How long connecting took, for the notes. */
    record Timing(int count, double seconds) {
        /** @param what the plural of what was connected, e.g. {@code receivers} */
        String describe(String what) {
            String noun = count == 1 && what.endsWith("s") ? what.substring(0, what.length() - 1) : what;
            return String.format(Locale.ROOT, "%d %s connected in %.1f s (%.0f/s, %d at a time)", count, noun, seconds,
                    count / Math.max(seconds, 1e-9), THREADS);
        }
    }

    /**
     * Runs every task (each connects one client, and subscribes it if it should); returns the clients in the
     * order of the tasks. When any task fails, the others' clients are closed and the first failure is thrown.
     */
    List<BenchClient> connectAll(List<Callable<BenchClient>> tasks, String what) throws Exception {
        List<Future<BenchClient>> futures = new ArrayList<>();
        for (Callable<BenchClient> task : tasks) {
            futures.add(pool.submit(() -> {
                BenchClient c = task.call();
                connected.add(c);
                return c;
            }));
        }
        List<BenchClient> clients = new ArrayList<>();
        Exception first = null;
        int failed = 0;
        for (Future<BenchClient> f : futures) {
            try {
                clients.add(f.get());
            } catch (ExecutionException e) {
                failed++;
                first = first == null ? (Exception) e.getCause() : first;
            }
        }
        if (first != null) {
            closeAll();
            throw new IllegalStateException(failed + " of " + tasks.size() + " " + what + " could not connect, first: "
                    + first, first);
        }
        return clients;
    }

    /** Connects every client of {@code tasks} and times it. */
    Timing timed(List<Callable<BenchClient>> tasks, String what, List<BenchClient> into) throws Exception {
        long t0 = System.nanoTime();
        into.addAll(connectAll(tasks, what));
        return new Timing(tasks.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Disconnects every client connected so far, in parallel. */
    void closeAll() {
        List<Future<?>> closing = new ArrayList<>();
        synchronized (connected) {
            for (BenchClient c : connected) {
                closing.add(pool.submit(c::close));
            }
            connected.clear();
        }
        for (Future<?> f : closing) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        closeAll();
        pool.shutdownNow();
    }
}
