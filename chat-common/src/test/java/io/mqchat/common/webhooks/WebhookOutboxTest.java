package io.mqchat.common.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.schema.StoreSchema.WebhookEndpoint;
import io.mqchat.common.store.TestStore;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookOutboxTest {

    @RegisterExtension
    final TestStore store = new TestStore();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private void endpoint(String id, List<String> events, boolean enabled) {
        store.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS).insertOne(new Document(WebhookEndpoint.ID, id)
                .append(WebhookEndpoint.URL, "https://example.com/" + id).append(WebhookEndpoint.EVENTS, events)
                .append(WebhookEndpoint.SECRET, "s-" + id).append(WebhookEndpoint.ENABLED, enabled));
    }

    private MongoCollection<Document> deliveries() {
        return store.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES);
    }

    private WebhookOutbox outbox(int capacity) {
        WebhookEndpoints endpoints = WebhookEndpoints.watching(store.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS),
                Duration.ofMinutes(1));
        return new WebhookOutbox(deliveries(), endpoints, capacity, metrics, Clock.systemUTC());
    }

    private double dropped(String reason) {
        return metrics.counter("mqchat.webhooks.dropped", "reason", reason).count();
    }

    @Test
    void anEventNobodyWantsCostsNothing() {
        endpoint("e1", List.of("user.online"), true);
        endpoint("e2", List.of("message.offline"), false); // disabled
        WebhookOutbox outbox = outbox(100);
        assertThat(outbox.wants("message.offline")).isFalse();
        for (int i = 0; i < 1_000; i++) {
            outbox.offer("message.offline", i, new WebhookBody.Test("x", "y")); // over the capacity: none queued
        }
        outbox.close();
        assertThat(deliveries().countDocuments()).isZero();
        assertThat(dropped("queue_full")).isZero();
        outbox.endpoints().close();
    }

    @Test
    void eachEventIsOneDeliveryPerEndpointThatWantsItAndCloseFlushesTheQueue() throws Exception {
        endpoint("e1", List.of("message.offline"), true);
        endpoint("e2", List.of("message.offline", "user.online"), true);
        WebhookOutbox outbox = outbox(10_000);
        for (int i = 0; i < 1_000; i++) {
            outbox.offer("message.offline", i, new WebhookBody.UserPresence("u" + i, false, List.of()));
        }
        outbox.offerDeferred(sink -> {
            if (sink.wants("user.online")) {
                sink.add("user.online", 5, new WebhookBody.UserPresence("amy", true, List.of("phone")));
            }
        });
        outbox.close(); // returns once everything queued is written
        assertThat(deliveries().countDocuments(Filters.eq(WebhookDelivery.ENDPOINT, "e1"))).isEqualTo(1_000);
        assertThat(deliveries().countDocuments(Filters.eq(WebhookDelivery.ENDPOINT, "e2"))).isEqualTo(1_001);
        Document one = deliveries().find(Filters.eq(WebhookDelivery.EVENT, "user.online")).first();
        assertThat(one.getString(WebhookDelivery.STATE)).isEqualTo(WebhookDelivery.PENDING);
        assertThat(one.getInteger(WebhookDelivery.ATTEMPTS)).isZero();
        WebhookBody body = WebhookBody.fromJson(one.getString(WebhookDelivery.BODY).getBytes(StandardCharsets.UTF_8));
        assertThat(body.deliveryId()).isEqualTo(one.getObjectId(WebhookDelivery.ID).toHexString());
        assertThat(body.data(WebhookBody.UserPresence.class).user()).isEqualTo("amy");
        assertThat(metrics.counter("mqchat.webhooks.queued").count()).isEqualTo(2_001);
        outbox.endpoints().close();
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlockingTheCaller() throws Exception {
        endpoint("e1", List.of("message.stored"), true);
        WebhookOutbox outbox = outbox(100);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        outbox.offerDeferred(sink -> { // holds the writer, as a slow MongoDB would
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        for (int i = 0; i < 150; i++) {
            outbox.offer("message.stored", i, new WebhookBody.Test("e1", "t"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(dropped("queue_full")).isEqualTo(50);
        release.countDown();
        outbox.close();
        assertThat(deliveries().countDocuments()).isEqualTo(100);
        outbox.endpoints().close();
    }
}
