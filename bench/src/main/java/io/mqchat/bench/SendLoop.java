package io.mqchat.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What every sender does, whatever the scenario: QoS 1 publishes of {@code {"cid":"…","body":"…"}}, at most
 * {@code inflight} unanswered (a window released by the PUBACK callback), optionally paced, until the last
 * message, the stop time or the phase deadline.
 */
final class SendLoop {

    /** One sender's bookkeeping: its window and what happened to each of its messages. */
    interface Ledger {
        /** Released once per message when it is answered (or could not be sent). */
        Semaphore window();

        /** Where message {@code k} goes (one sender may round-robin over several inboxes). */
        String topic(int k);

        /** The client message id of the sender's message {@code k}. */
        String cidOf(int k);

        /** Message {@code k} is about to be published for the first time. */
        void started(int k);

        /** Message {@code k} is handed to the client now (again, after a full client window). */
        void sending(int k, long nanoTime);

        /** The broker's answer to message {@code k}: {@code failure} null for success. Releases the window. */
        void onAck(int k, long nanoTime, String failure);

        /** Message {@code k} could not be handed to the client. Releases the window. */
        void onSendError(int k, Exception e);
    }

    private final byte[] body;

    /** @param payloadBytes the body's length in characters (ASCII) */
    SendLoop(int payloadBytes) {
        StringBuilder b = new StringBuilder(payloadBytes);
        String text = "the quick brown fox jumps over the lazy dog ";
        while (b.length() < payloadBytes) {
            b.append(text);
        }
        b.setLength(payloadBytes);
        this.body = b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"cid":"{cid}","body":"xxx…"}}. */
    byte[] payload(String cid) {
        byte[] head = ("{\"cid\":\"" + cid + "\",\"body\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    /**
     * Sends messages {@code fromK} (inclusive) to {@code toK} (exclusive) of one sender.
     *
     * @param intervalNanos 0 for unpaced, else message {@code fromK + i} is not sent before {@code i} intervals
     *                      after the start
     * @return the first message not sent
     */
    int run(Ledger ledger, BenchClient client, int fromK, int toK, long stopSendingAt, long deadline,
            long intervalNanos) {
        int k = fromK;
        long start = System.nanoTime();
        try {
            for (; k < toK; k++) {
                if (intervalNanos > 0) {
                    long due = start + (k - fromK) * intervalNanos;
                    while (due - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted()) {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
                if (System.nanoTime() - stopSendingAt > 0) {
                    break;
                }
                long wait = deadline - System.nanoTime();
                if (wait <= 0 || !ledger.window().tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                    break;
                }
                if (!send(ledger, client, k, deadline)) {
                    return k + 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return k;
    }

    /**
     * Hands message {@code k} (its window permit taken) to the client, retrying while Paho's own in-flight window
     * is full. Returns false when the deadline passed while retrying (the message then counts as not sent).
     */
    private boolean send(Ledger ledger, BenchClient client, int k, long deadline) {
        byte[] payload = payload(ledger.cidOf(k));
        ledger.started(k);
        while (true) {
            ledger.sending(k, System.nanoTime());
            try {
                client.publish(ledger.topic(k), payload, (now, failure) -> ledger.onAck(k, now, failure));
                return true;
            } catch (BenchClient.WindowFullException full) {
                if (System.nanoTime() - deadline > 0) {
                    ledger.onSendError(k, full);
                    return false;
                }
                LockSupport.parkNanos(50_000);
            } catch (Exception e) {
                ledger.onSendError(k, e);
                return true;
            }
        }
    }

    /** Nanoseconds between two publishes of one sender, for {@code rate} publishes/s across {@code senders}. */
    static long interval(int rate, int senders) {
        return rate <= 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(1) * senders / rate);
    }

    /** One phase (warm-up or measured) of a side. */
    record Phase(long startNanos, long endNanos, boolean complete, String incomplete) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** What a phase waits for and reports, from the scenario's own bookkeeping. */
    interface Progress {
        /** Every publish answered and every acknowledged message delivered everywhere it should go. */
        boolean settled();

        /** The time of the last measured PUBACK or delivery (0 when none). */
        long lastMeasuredNanos();

        /** What is missing, for a phase that did not settle in time. */
        String pending();
    }

    /**
     * Runs one phase: sender {@code i} publishes its messages {@code fromK..toK-1} with {@code clients.get(i)}
     * on its own thread; then waits until everything is answered and delivered. {@code sentUpTo[i]} receives the
     * first message sender {@code i} did not send. A measured phase ends at its last measured ack or delivery.
     */
    Phase phase(List<? extends Ledger> ledgers, List<BenchClient> clients, int fromK, int toK, boolean measured,
                Duration duration, int rate, Duration maxPhaseTime, int[] sentUpTo, Progress progress)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + maxPhaseTime.toNanos();
        long stopSendingAt = duration == null ? deadline : Math.min(deadline, start + duration.toNanos());
        long interval = interval(rate, ledgers.size());
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < ledgers.size(); i++) {
            Ledger ledger = ledgers.get(i);
            BenchClient client = clients.get(i);
            int index = i;
            tasks.add(() -> sentUpTo[index] = run(ledger, client, fromK, toK, stopSendingAt, deadline, interval));
        }
        List<Thread> threads = runAll(tasks, "bench-sender", deadline);
        return settle(start, deadline, maxPhaseTime, measured, threads, progress);
    }

    /**
     * A phase for many slow senders: instead of a thread per sender, one pacing thread publishes for all of them,
     * spread evenly: sender {@code i}'s message {@code fromK + j} is due {@code j} intervals plus {@code i / n} of
     * an interval after the start, so that {@code n} senders make {@code n} publishes per interval in all, one every
     * {@code interval / n}. A sender whose window is full when its message is due holds the pacer up (that delay is
     * reported as the pacer's lag, so that a stalled broker does not hide behind a late send time).
     */
    PacedPhase pacedPhase(List<? extends Ledger> ledgers, List<BenchClient> clients, int fromK, int toK,
                          boolean measured, Duration interval, Duration maxPhaseTime, int[] sentUpTo, Progress progress)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + maxPhaseTime.toNanos();
        int n = ledgers.size();
        long step = Math.max(1, interval.toNanos() / n);
        long[] maxLag = new long[1];
        for (int i = 0; i < n; i++) {
            sentUpTo[i] = fromK;
        }
        Runnable pacer = () -> {
            long slots = (long) n * (toK - fromK);
            try {
                for (long slot = 0; slot < slots; slot++) {
                    int i = (int) (slot % n);
                    int k = fromK + (int) (slot / n);
                    long due = start + (slot / n) * interval.toNanos() + i * step;
                    while (due - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted()) {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0 || !ledgers.get(i).window().tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    maxLag[0] = Math.max(maxLag[0], System.nanoTime() - due);
                    boolean inTime = send(ledgers.get(i), clients.get(i), k, deadline);
                    sentUpTo[i] = k + 1;
                    if (!inTime) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<Thread> threads = runAll(List.of(pacer), "bench-pacer", deadline);
        Phase phase = settle(start, deadline, maxPhaseTime, measured, threads, progress);
        return new PacedPhase(phase, maxLag[0]);
    }

    /** A paced phase and how late the pacer was at worst (nanoseconds after a message was due). */
    record PacedPhase(Phase phase, long maxLagNanos) {
    }

    /** Waits for the last answers and deliveries of a phase whose senders run on {@code threads}. */
    private static Phase settle(long start, long deadline, Duration maxPhaseTime, boolean measured,
                                List<Thread> threads, Progress progress) {
        // The measured times come from the callbacks.
        awaitUntil(progress::settled, deadline);
        boolean complete = progress.settled() && threads.stream().noneMatch(Thread::isAlive);
        long end = System.nanoTime();
        if (measured && complete) {
            long last = progress.lastMeasuredNanos();
            end = last != 0 && last - start > 0 ? last : end;
        }
        String incomplete = null;
        if (!complete) {
            incomplete = "phase not finished after " + maxPhaseTime.toSeconds() + " s: " + progress.pending();
            threads.forEach(Thread::interrupt);
        }
        return new Phase(start, end, complete, incomplete);
    }

    /** Runs each task on its own daemon thread and waits for all of them until the deadline. */
    static List<Thread> runAll(List<Runnable> tasks, String name, long deadline) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Thread t = new Thread(tasks.get(i), name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        return threads;
    }

    /** Waits (polling) until {@code done} holds or the deadline passes; returns whether it holds. */
    static boolean awaitUntil(java.util.function.BooleanSupplier done, long deadline) {
        return awaitUntil(done, deadline, 2_000_000);
    }

    /** The same, polling every {@code pollNanos} (a condition that asks the database must not hammer it). */
    static boolean awaitUntil(java.util.function.BooleanSupplier done, long deadline, long pollNanos) {
        while (System.nanoTime() - deadline < 0 && !done.getAsBoolean()) {
            LockSupport.parkNanos(pollNanos);
        }
        return done.getAsBoolean();
    }
}
