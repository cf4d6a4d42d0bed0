package io.mqchat.broker.ingest;

import io.mqchat.broker.store.StoreHealth;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.redis.SequenceAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    /** Wakes the allocating thread when a seed arrived. */
    private static final Attempt WAKE = new Attempt(null, null, null);
    /** Attempts waiting for their conversation's seed, in order (the allocating thread's own). */
    private final Map<String, Deque<Attempt>> parked = new HashMap<>();
    private final Queue<Map.Entry<String, Long>> seeded = new ConcurrentLinkedQueue<>();
    private final Queue<String> failed = new ConcurrentLinkedQueue<>();
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
        List<Attempt> arrived = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Attempt first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                arrived.add(first);
                queue.drainTo(arrived, MAX_BATCH - 1);
                for (String conv; (conv = failed.poll()) != null; ) {
                    Deque<Attempt> waiting = parked.remove(conv);
                    if (waiting != null) {
                        IllegalStateException e = new IllegalStateException("seq counter of " + conv + " not seeded");
                        waiting.forEach(a -> a.result().completeExceptionally(e));
                    }
                }
                Map<String, Long> seeds = new HashMap<>();
                // attempts of conversations whose seed arrived go first: they came before anything newer
                for (Map.Entry<String, Long> seed; (seed = seeded.poll()) != null; ) {
                    Deque<Attempt> waiting = parked.remove(seed.getKey());
                    if (waiting != null) {
                        seeds.put(seed.getKey(), seed.getValue());
                        batch.addAll(waiting);
                    }
                }
                for (Attempt a : arrived) {
                    if (a == WAKE) {
                        continue;
                    }
                    Deque<Attempt> waiting = parked.get(a.request().conv());
                    if (waiting != null) {
                        waiting.addLast(a); // behind the earlier attempts of its conversation
                    } else {
                        batch.add(a);
                    }
                }
                if (!batch.isEmpty()) {
                    allocate(batch, seeds);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("mqchat seq allocator: unexpected error", e);
                batch.forEach(a -> a.result().completeExceptionally(e));
            } finally {
                batch.clear();
                arrived.clear();
            }
        }
    }

    private void allocate(List<Attempt> batch, Map<String, Long> seeds) {
        List<SequenceAllocator.Request> requests = new ArrayList<>(batch.size());
        batch.forEach(a -> requests.add(a.request()));
        batchSizes.record(batch.size());
        List<SequenceAllocator.Allocation> seqs;
        try {
            seqs = allocator.nextAll(requests, clock.millis(), retryWindow, seeds);
        } catch (RuntimeException e) {
            log.warn("mqchat: {} seqs not allocated: {}", batch.size(), e.toString());
            health.failed(e);
            batch.forEach(a -> a.result().completeExceptionally(e));
            return;
        }
        List<Attempt> done = new ArrayList<>(batch.size());
        List<SequenceAllocator.Allocation> doneSeqs = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Attempt a = batch.get(i);
            SequenceAllocator.Allocation seq = seqs.get(i);
            if (seq.seq() < 0) {
                park(a);
                continue;
            }
            try {
                a.listener().allocated(a.request().conv(), seq.seq(), !seq.retried());
            } catch (RuntimeException e) {
                log.warn("mqchat: seq listener failed: {}", e.toString());
            }
            done.add(a);
            doneSeqs.add(seq);
        }
        // completed after every listener heard its seq: what a completion starts cannot overtake them
        for (int i = 0; i < done.size(); i++) {
            done.get(i).result().complete(doneSeqs.get(i));
        }
    }

    /**
     * The conversation has no counter in Redis (new, or Redis lost it): its attempts wait, in order, while the
     * store is asked for the seed; other conversations go on meanwhile.
     */
    private void park(Attempt a) {
        String conv = a.request().conv();
        Deque<Attempt> waiting = parked.get(conv);
        if (waiting != null) {
            waiting.addLast(a);
            return;
        }
        waiting = new ArrayDeque<>();
        waiting.addLast(a);
        parked.put(conv, waiting);
        allocator.storedMaxSeq(conv).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((max, error) -> {
            if (error != null) {
                log.warn("mqchat: seed of the seq counter of {} not read: {}", conv, error.toString());
                health.failed(error);
                failed.add(conv);
            } else {
                seeded.add(Map.entry(conv, max));
            }
            queue.add(WAKE);
        });
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
        queue.stream().filter(a -> a != WAKE).forEach(a -> a.result().completeExceptionally(closed));
    }
}
