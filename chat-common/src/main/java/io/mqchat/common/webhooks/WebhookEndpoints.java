package io.mqchat.common.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema.WebhookEndpoint;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The enabled endpoints, read from MongoDB every {@code refresh} (and at once by {@link #refreshNow()} on the node
 * where a registration changed), so that asking whether anyone wants an event costs a map lookup and nothing when
 * nobody does. Endpoints are few (a hundred at most), so the whole list is read each time.
 */
public final class WebhookEndpoints implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookEndpoints.class);

    /** An enabled endpoint as deliveries need it. */
    public record Endpoint(String id, String url, Set<String> events, String secret) {
        @Override
        public String toString() {
            return "Endpoint[id=" + id + ", url=" + url + ", events=" + events + "]"; // never the secret
        }
    }

    private record Snapshot(Map<String, Endpoint> byId, Map<String, List<Endpoint>> byEvent) {
    }

    private final MongoCollection<Document> endpoints;
    private final ScheduledExecutorService refresher;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
    private volatile boolean warned;

    private WebhookEndpoints(MongoCollection<Document> endpoints, Duration refresh) {
        this.endpoints = endpoints;
        if (endpoints == null) {
            this.refresher = null;
            return;
        }
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqchat-webhook-endpoints");
            t.setDaemon(true);
            return t;
        });
        refreshNow();
        refresher.scheduleWithFixedDelay(this::refreshQuietly, refresh.toMillis(), refresh.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Reads the endpoints now and every {@code refresh}. */
    public static WebhookEndpoints watching(MongoCollection<Document> endpoints, Duration refresh) {
        return new WebhookEndpoints(endpoints, refresh);
    }

    /** No endpoints ever (tests, components that produce nothing). */
    public static WebhookEndpoints none() {
        return new WebhookEndpoints(null, Duration.ZERO);
    }

    public boolean wants(String event) {
        return snapshot.byEvent().containsKey(event);
    }

    public List<Endpoint> wanting(String event) {
        return snapshot.byEvent().getOrDefault(event, List.of());
    }

    /** The endpoint if it is enabled, else null. */
    public Endpoint enabled(String id) {
        return snapshot.byId().get(id);
    }

    public Set<String> enabledIds() {
        return snapshot.byId().keySet();
    }

    /** Reads the list again; a failure keeps the previous list (logged once until a read works again). */
    public void refreshNow() {
        if (endpoints == null) {
            return;
        }
        Map<String, Endpoint> byId = new HashMap<>();
        Map<String, List<Endpoint>> byEvent = new HashMap<>();
        for (Document d : endpoints.find(Filters.eq(WebhookEndpoint.ENABLED, true))) {
            Set<String> events = new LinkedHashSet<>(d.getList(WebhookEndpoint.EVENTS, String.class, List.of()));
            Endpoint e = new Endpoint(d.get(WebhookEndpoint.ID).toString(), d.getString(WebhookEndpoint.URL),
                    Set.copyOf(events), d.getString(WebhookEndpoint.SECRET));
            byId.put(e.id(), e);
            for (String event : events) {
                byEvent.computeIfAbsent(event, k -> new ArrayList<>()).add(e);
            }
        }
        byEvent.replaceAll((k, v) -> List.copyOf(v));
        snapshot = new Snapshot(Map.copyOf(byId), Map.copyOf(byEvent));
    }

    private void refreshQuietly() {
        try {
            refreshNow();
            warned = false;
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("mqchat webhooks: reading the endpoints failed, keeping the last list: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
