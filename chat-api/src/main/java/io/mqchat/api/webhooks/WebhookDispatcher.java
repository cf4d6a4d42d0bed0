package io.mqchat.api.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.webhooks.EndpointAddress;
import io.mqchat.common.webhooks.RetrySchedule;
import io.mqchat.common.webhooks.WebhookEndpoints;
import io.mqchat.common.webhooks.WebhookSignature;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the outbox's due deliveries. One query finds a round of due ones; each is then claimed atomically by its id
 * (a conditional {@code findOneAndUpdate} that moves its due time a lease ahead), so several chat-api instances may
 * run this side by side: a delivery is someone's until its
 * lease runs out, and if that instance dies it becomes due again for anyone (at-least-once). At most
 * {@code concurrency} deliveries are in flight here and {@code perEndpoint} to one endpoint: the claim skips the
 * endpoints that are full, so a slow or dead endpoint holds a few workers and never the others' deliveries.
 *
 * <p>A 2xx answer is delivered; anything else, a timeout or a refused address is a failure, retried after the
 * {@link RetrySchedule}'s delay and dead after its last attempt. Redirects are not followed (a redirect could lead
 * past the address check). No log line per delivery above DEBUG; the outcomes are counted in
 * {@code mqchat.webhooks.deliveries{outcome}}.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_ERROR = 200;
    private static final Duration PURGE_EVERY = Duration.ofHours(1);

    private final MongoCollection<Document> deliveries;
    private final WebhookEndpoints endpoints;
    private final WebhooksProperties properties;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final HttpClient http;
    private final Semaphore slots;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** What this instance has claimed and not finished: handed back at a clean stop rather than left leased. */
    private final Set<ObjectId> claimed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService poller;
    private final ExecutorService workers;
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;
    private volatile long lastPurge;

    public WebhookDispatcher(MongoCollection<Document> deliveries, WebhookEndpoints endpoints,
                             WebhooksProperties properties, MeterRegistry metrics, Clock clock) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.properties = properties;
        this.schedule = new RetrySchedule(properties.backoffBase(), properties.backoffMax(), properties.maxAttempts());
        this.clock = clock;
        this.slots = new Semaphore(properties.concurrency());
        this.workers = Executors.newFixedThreadPool(properties.concurrency(), r -> daemon(r, "mqchat-webhook-send"));
        this.http = HttpClient.newBuilder().connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mqchat-webhook-poll"));
        this.delivered = metrics.counter("mqchat.webhooks.deliveries", "outcome", "delivered");
        this.failed = metrics.counter("mqchat.webhooks.deliveries", "outcome", "failed");
        this.dead = metrics.counter("mqchat.webhooks.deliveries", "outcome", "dead");
    }

    /** Starts polling for due deliveries every {@code pollInterval}. */
    public void start() {
        long every = properties.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Looks for due deliveries now (something was just queued here). */
    public void wake() {
        if (!poller.isShutdown()) {
            poller.execute(this::poll);
        }
    }

    private void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        try {
            purgeDelivered();
            // one query finds a round of due deliveries; each is then claimed by its id (cheap, and atomic)
            while (slots.availablePermits() > 0) {
                List<Document> candidates = due(slots.availablePermits());
                if (candidates.isEmpty() || !claimEach(candidates)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn("mqchat webhooks: looking for due deliveries failed: {}", e.toString());
        } finally {
            polling.set(false);
        }
    }

    /** Up to {@code limit} due deliveries (ids and endpoints) of enabled endpoints with a free slot, soonest first. */
    List<Document> due(int limit) {
        List<String> open = new ArrayList<>();
        for (String id : endpoints.enabledIds()) {
            AtomicInteger n = inFlight.get(id);
            if (n == null || n.get() < properties.perEndpoint()) {
                open.add(id);
            }
        }
        if (open.isEmpty()) {
            return List.of();
        }
        List<Document> out = new ArrayList<>();
        deliveries.find(Filters.and(Filters.eq(WebhookDelivery.STATE, WebhookDelivery.PENDING),
                        Filters.lte(WebhookDelivery.NEXT_AT, Date.from(clock.instant())),
                        Filters.in(WebhookDelivery.ENDPOINT, open)))
                .projection(new Document(WebhookDelivery.ENDPOINT, 1))
                .sort(Sorts.ascending(WebhookDelivery.NEXT_AT)).limit(limit).into(out);
        return out;
    }

    /** Claims and starts what it can of the candidates; false when it claimed none (nothing left to do now). */
    private boolean claimEach(List<Document> candidates) {
        boolean any = false;
        for (Document candidate : candidates) {
            String endpointId = candidate.getString(WebhookDelivery.ENDPOINT);
            AtomicInteger count = inFlight.computeIfAbsent(endpointId, k -> new AtomicInteger());
            if (count.get() >= properties.perEndpoint() || !slots.tryAcquire()) {
                continue;
            }
            Document claimedDelivery;
            try {
                claimedDelivery = claim(candidate.getObjectId(WebhookDelivery.ID));
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
            if (claimedDelivery == null) { // another instance was quicker, or it is no longer due
                slots.release();
                continue;
            }
            any = true;
            ObjectId claimedId = claimedDelivery.getObjectId(WebhookDelivery.ID);
            claimed.add(claimedId);
            count.incrementAndGet();
            try {
                workers.execute(() -> {
                    try {
                        if (deliver(claimedDelivery)) {
                            claimed.remove(claimedId);
                        }
                    } finally {
                        count.decrementAndGet();
                        slots.release();
                    }
                });
            } catch (RuntimeException e) { // stopping: close() hands it back
                count.decrementAndGet();
                slots.release();
                return false;
            }
        }
        return any;
    }

    /**
     * The delivery leased to this instance if it is still pending and due (a conditional update: of several
     * instances that found it, one gets it); null otherwise.
     */
    Document claim(ObjectId id) {
        Date now = Date.from(clock.instant());
        return deliveries.findOneAndUpdate(Filters.and(Filters.eq(WebhookDelivery.ID, id),
                        Filters.eq(WebhookDelivery.STATE, WebhookDelivery.PENDING), Filters.lte(WebhookDelivery.NEXT_AT, now)),
                Updates.set(WebhookDelivery.NEXT_AT, new Date(now.getTime() + properties.lease().toMillis())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
    }

    /** One attempt; false when it was abandoned (the dispatcher is stopping). */
    private boolean deliver(Document d) {
        ObjectId id = d.getObjectId(WebhookDelivery.ID);
        WebhookEndpoints.Endpoint endpoint = endpoints.enabled(d.getString(WebhookDelivery.ENDPOINT));
        if (endpoint == null) {
            return true; // disabled or deleted meanwhile: left pending; its lease runs out, it waits for an enable
        }
        String error;
        try {
            URI uri = EndpointAddress.parse(endpoint.url());
            EndpointAddress.requirePublic(uri, properties.allowPrivate()); // DNS may have changed since registration
            byte[] body = d.getString(WebhookDelivery.BODY).getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.readTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "mqchat-webhooks")
                    .header(WebhookSignature.HEADER, WebhookSignature.sign(endpoint.secret(), body))
                    .header("X-Mqchat-Timestamp", Long.toString(clock.instant().getEpochSecond()))
                    .header("X-Mqchat-Delivery", id.toHexString())
                    .header("X-Mqchat-Event", d.getString(WebhookDelivery.EVENT))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                succeeded(id, d.getInteger(WebhookDelivery.ATTEMPTS, 0));
                return true;
            }
            error = "HTTP " + status;
        } catch (EndpointAddress.RefusedException e) {
            error = "refused: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false; // stopping: handed back by close()
        } catch (Exception e) {
            error = e.getClass().getName();
        }
        failedAttempt(id, d.getInteger(WebhookDelivery.ATTEMPTS, 0) + 1, error);
        return true;
    }

    private void succeeded(ObjectId id, int attemptsBefore) {
        Date now = Date.from(clock.instant());
        deliveries.updateOne(Filters.eq(WebhookDelivery.ID, id), Updates.combine(
                Updates.set(WebhookDelivery.STATE, WebhookDelivery.DELIVERED), Updates.set(WebhookDelivery.DELIVERED_AT, now),
                Updates.set(WebhookDelivery.LAST_ATTEMPT_AT, now), Updates.set(WebhookDelivery.ATTEMPTS, attemptsBefore + 1)));
        delivered.increment();
    }

    private void failedAttempt(ObjectId id, int attempts, String error) {
        Date now = Date.from(clock.instant());
        String bounded = error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR);
        boolean exhausted = schedule.exhausted(attempts);
        Bson next = exhausted ? Updates.set(WebhookDelivery.STATE, WebhookDelivery.DEAD)
                : Updates.set(WebhookDelivery.NEXT_AT, new Date(now.getTime()
                + schedule.delayAfter(attempts, ThreadLocalRandom.current()).toMillis()));
        deliveries.updateOne(Filters.eq(WebhookDelivery.ID, id), Updates.combine(next,
                Updates.set(WebhookDelivery.ATTEMPTS, attempts), Updates.set(WebhookDelivery.LAST_ERROR, bounded),
                Updates.set(WebhookDelivery.LAST_ATTEMPT_AT, now)));
        (exhausted ? dead : failed).increment();
        log.debug("mqchat webhooks: delivery {} attempt {} failed: {}", id, attempts, bounded);
    }

    /** Delivered deliveries older than {@code keepDelivered} go, at most once an hour. */
    private void purgeDelivered() {
        long now = clock.millis();
        if (now - lastPurge < PURGE_EVERY.toMillis()) {
            return;
        }
        lastPurge = now;
        deliveries.deleteMany(Filters.and(Filters.eq(WebhookDelivery.STATE, WebhookDelivery.DELIVERED),
                Filters.lt(WebhookDelivery.DELIVERED_AT, new Date(now - properties.keepDelivered().toMillis()))));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Stops claiming; attempts in flight are abandoned and made due again at once (were that write lost, their leases
     * would run out and they would be due all the same). At-least-once: an endpoint that had received one gets it
     * again.
     */
    @Override
    public void close() {
        poller.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!claimed.isEmpty()) {
            try {
                deliveries.updateMany(Filters.and(Filters.in(WebhookDelivery.ID, List.copyOf(claimed)),
                        Filters.eq(WebhookDelivery.STATE, WebhookDelivery.PENDING)),
                        Updates.set(WebhookDelivery.NEXT_AT, Date.from(clock.instant())));
            } catch (RuntimeException e) {
                log.warn("mqchat webhooks: {} deliveries in flight stay leased until their lease runs out: {}",
                        claimed.size(), e.toString());
            }
        }
    }
}
