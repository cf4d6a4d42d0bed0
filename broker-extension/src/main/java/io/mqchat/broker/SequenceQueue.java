package io.mqchat.broker;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.redis.SequenceAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Seqs for the publish path, many per Redis round trip. Attempts queue up while a call is in flight and go in the
 * next one, in arrival order; one call at a time, so the seqs of a conversation follow the order in which the
 * publish interceptor queued its messages (which is each connection's publish order). Each attempt's
 * {@link MessageAcceptor.SeqListener} hears its seq on this thread before the next call starts.
 *
 * <p>The queue needs no bound of its own: the publishes that feed it are bounded per connection and in total
 * ({@link PublishPipeline}).
 */
public final class SequenceQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SequenceQueue.class);
    private static final int MAX_BATCH = 512;

    private record Attempt(SequenceAllocator.Request request, MessageAcceptor.SeqListener listener,
                           CompletableFuture<SequenceAllocator.Allocation> result) {
    }

    private final SequenceAllocator allocator;
    private final Duration retryWindow;
    private final Duration timeout;
    private final Clock clock;
    private final StoreHealth health;
    private final BlockingQueue<Attempt> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;

    /**
     * @param retryWindow how long an attempt's seq stays reserved for retries of its {@code (sender, cid)}
     * @param timeout     how long a call may take (the store timeout)
     */
    public SequenceQueue(SequenceAllocator allocator, Duration retryWindow, Duration timeout, Clock clock,
                         StoreHealth health, MeterRegistry metrics) {
        this.allocator = allocator;
        this.retryWindow = retryWindow;
        this.timeout = timeout;
        this.clock = clock;
        this.health = health;
        this.batchSizes = DistributionSummary.builder("mqchat.seq.batch.size")
                .description("seqs allocated per Redis round trip").register(metrics);
        this.thread = new Thread(this::run, "mqchat-seq-allocator");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A seq for one attempt of a client's message (see {@link SequenceAllocator#next(String, String, String, long,
     * Duration, boolean)}); {@code listener} hears it first.
     */
    public CompletableFuture<SequenceAllocator.Allocation> allocate(String conv, String sender, String cid, boolean anew,
                                                                    MessageAcceptor.SeqListener listener) {
        CompletableFuture<SequenceAllocator.Allocation> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("seq allocation stopped"));
            return result;
        }
        queue.add(new Attempt(new SequenceAllocator.Request(conv, sender, cid, anew), listener, result));
        return result;
    }

    /** Moves a conversation's counter past the highest stored seq. */
    public CompletableFuture<Void> resync(String conv) {
        return allocator.resync(conv).toCompletableFuture();
    }

    private void run() {
        List<Attempt> batch = new ArrayList<>(MAX_BATCH);
        List<SequenceAllocator.Request> requests = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Attempt first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                batch.forEach(a -> requests.add(a.request()));
                batchSizes.record(batch.size());
                List<SequenceAllocator.Allocation> seqs;
                try {
                    seqs = allocator.nextAll(requests, clock.millis(), retryWindow, timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    batch.forEach(a -> a.result().completeExceptionally(e));
                    return;
                } catch (Exception e) {
                    log.warn("mqchat: {} seqs not allocated: {}", batch.size(), e.toString());
                    health.failed(e);
                    batch.forEach(a -> a.result().completeExceptionally(e));
                    continue;
                }
                for (int i = 0; i < batch.size(); i++) {
                    Attempt a = batch.get(i);
                    SequenceAllocator.Allocation seq = seqs.get(i);
                    try {
                        a.listener().allocated(a.request().conv(), seq.seq(), !seq.retried());
                    } catch (RuntimeException e) {
                        log.warn("mqchat: seq listener failed: {}", e.toString());
                    }
                }
                // completed after every listener heard its seq: what a completion starts cannot overtake them
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(seqs.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("mqchat seq allocator: unexpected error", e);
                batch.forEach(a -> a.result().completeExceptionally(e));
            } finally {
                batch.clear();
                requests.clear();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException closed = new IllegalStateException("seq allocation stopped");
        queue.forEach(a -> a.result().completeExceptionally(closed));
    }
}
