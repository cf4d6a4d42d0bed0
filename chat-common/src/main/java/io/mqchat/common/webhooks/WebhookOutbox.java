package io.mqchat.common.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where producers (the broker, chat-api) put webhook events: a bounded in-memory queue, emptied by one background
 * thread that turns each event into one delivery per endpoint that wants it and inserts them in batches
 * ({@code insertMany}) into the outbox collection. The caller never waits for MongoDB: {@link #offer} is a check
 * of the cached endpoint list (nothing at all when no endpoint wants the event) and a queue insert. A full queue
 * drops the event, counted in {@code mqchat.webhooks.dropped{reason=queue_full}} and logged at most every 10 s.
 *
 * <p>Events still in the queue are lost if the process crashes: at most the queue's content, normally what
 * arrived in the last few milliseconds (one batch insert). {@link #close()} flushes it on a clean shutdown.
 */
public final class WebhookOutbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookOutbox.class);
    private static final int BATCH = 500;
    private static final int INSERT_TRIES = 3;
    private static final long WARN_EVERY_MS = 10_000;

    /** Adds events; given to a {@link Deferred} on the outbox's thread. */
    public interface Sink {
        boolean wants(String event);

        void add(String event, long ts, Object data);
    }

    /**
     * Work that turns into events on the outbox's thread, for events that need lookups the producer's thread must
     * not make (which recipients are offline).
     */
    public interface Deferred {
        void expand(Sink sink);
    }

    private record Ready(String event, long ts, Object data) {
    }

    private final MongoCollection<Document> deliveries;
    private final WebhookEndpoints endpoints;
    private final BlockingQueue<Object> queue;
    private final Clock clock;
    private final Counter dropFull;
    private final Counter dropStore;
    private final Counter dropLookup;
    private final Counter queued;
    private final AtomicLong lastWarn = new AtomicLong();
    private final AtomicLong droppedSinceWarn = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public WebhookOutbox(MongoCollection<Document> deliveries, WebhookEndpoints endpoints, int capacity,
                         MeterRegistry metrics, Clock clock) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.clock = clock;
        this.dropFull = metrics.counter("mqchat.webhooks.dropped", "reason", "queue_full");
        this.dropStore = metrics.counter("mqchat.webhooks.dropped", "reason", "store");
        this.dropLookup = metrics.counter("mqchat.webhooks.dropped", "reason", "lookup");
        this.queued = metrics.counter("mqchat.webhooks.queued");
        this.writer = new Thread(this::run, "mqchat-webhook-outbox");
        writer.setDaemon(true);
        writer.start();
    }

    public WebhookEndpoints endpoints() {
        return endpoints;
    }

    /** Whether any enabled endpoint wants the event: producers check this before building anything. */
    public boolean wants(String event) {
        return endpoints.wants(event);
    }

    /** Queues an event for every endpoint that wants it; never blocks. */
    public void offer(String event, long ts, Object data) {
        if (endpoints.wants(event)) {
            enqueue(new Ready(event, ts, data));
        }
    }

    /** Queues work that becomes events on the outbox's thread; never blocks. */
    public void offerDeferred(Deferred work) {
        enqueue(work);
    }

    private void enqueue(Object item) {
        if (!running || !queue.offer(item)) {
            dropFull.increment();
            warnDropped("the webhook queue is full (MQCHAT_WEBHOOKS_QUEUE)");
        }
    }

    private void warnDropped(String why) {
        droppedSinceWarn.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_MS && lastWarn.compareAndSet(last, now)) {
            log.warn("mqchat webhooks: {} webhook event(s) dropped in the last {} s: {}", droppedSinceWarn.getAndSet(0),
                    last == 0 ? 0 : (now - last) / 1000, why);
        }
    }

    private void run() {
        List<Object> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Object first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                insert(documents(batch));
            } catch (InterruptedException e) {
                // close() interrupts only after its flush deadline: what is left is lost
                dropFull.increment(queue.size());
                return;
            } catch (RuntimeException e) {
                log.warn("mqchat webhooks: a batch of events failed: {}", e.toString());
            } finally {
                batch.clear();
            }
        }
    }

    private List<Document> documents(List<Object> items) {
        List<Document> docs = new ArrayList<>();
        Date now = Date.from(clock.instant());
        Sink sink = new Sink() {
            @Override
            public boolean wants(String event) {
                return endpoints.wants(event);
            }

            @Override
            public void add(String event, long ts, Object data) {
                for (WebhookEndpoints.Endpoint endpoint : endpoints.wanting(event)) {
                    docs.add(delivery(endpoint.id(), event, ts, data, now));
                }
            }
        };
        for (Object item : items) {
            if (item instanceof Ready r) {
                sink.add(r.event(), r.ts(), r.data());
            } else if (item instanceof Deferred d) {
                try {
                    d.expand(sink);
                } catch (RuntimeException e) {
                    dropLookup.increment();
                    warnDropped("looking up the recipients failed: " + e);
                }
            }
        }
        return docs;
    }

    /** A pending delivery of one event to one endpoint, due now. */
    public static Document delivery(String endpointId, String event, long ts, Object data, Date now) {
        ObjectId id = new ObjectId();
        byte[] body = new WebhookBody(id.toHexString(), event, ts, data).toJsonBytes();
        return new Document(WebhookDelivery.ID, id).append(WebhookDelivery.ENDPOINT, endpointId)
                .append(WebhookDelivery.EVENT, event).append(WebhookDelivery.BODY, new String(body, StandardCharsets.UTF_8))
                .append(WebhookDelivery.STATE, WebhookDelivery.PENDING).append(WebhookDelivery.ATTEMPTS, 0)
                .append(WebhookDelivery.NEXT_AT, now).append(WebhookDelivery.CREATED_AT, now);
    }

    private void insert(List<Document> docs) throws InterruptedException {
        if (docs.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                deliveries.insertMany(docs, new InsertManyOptions().ordered(false));
                queued.increment(docs.size());
                return;
            } catch (RuntimeException e) {
                if (attempt >= INSERT_TRIES || !running) {
                    dropStore.increment(docs.size());
                    warnDropped("the outbox could not be written: " + e);
                    return;
                }
                Thread.sleep(Duration.ofSeconds(attempt).toMillis());
            }
        }
    }

    /** Stops taking events and writes what is queued (waits up to 10 s). */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
            if (writer.isAlive()) {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
