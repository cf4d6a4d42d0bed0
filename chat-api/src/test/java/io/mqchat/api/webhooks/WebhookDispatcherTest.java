package io.mqchat.api.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.api.TestMongo;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.schema.StoreSchema.WebhookEndpoint;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookEndpoints;
import io.mqchat.common.webhooks.WebhookOutbox;
import io.mqchat.common.webhooks.WebhookSignature;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher against real HTTP receivers (loopback, private addresses allowed unless a test says otherwise) on
 * an in-process MongoDB outbox: a slow endpoint holds only its own slots, dead after the last attempt with the last
 * error, redirects not followed, the address checked again at delivery, and two dispatchers on one outbox send each
 * delivery once.
 */
class WebhookDispatcherTest {

    private static final String SECRET = "dispatcher-test-secret";
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("webhook-dispatcher");

    private HttpServer server;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, Function<HttpExchange, Integer>> handlers = new ConcurrentHashMap<>();
    private final Map<String, List<String>> hits = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        MONGO.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS).deleteMany(new Document());
        MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES).deleteMany(new Document());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            hits.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>()).add(
                    exchange.getRequestHeaders().getFirst("X-Mqchat-Delivery"));
            int status = WebhookSignature.verify(SECRET, body, exchange.getRequestHeaders().getFirst("X-Mqchat-Signature"))
                    ? handlers.getOrDefault(path, e -> 204).apply(exchange) : 401;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static WebhooksProperties settings(boolean allowPrivate, int maxAttempts, int concurrency, int perEndpoint) {
        return new WebhooksProperties(allowPrivate, maxAttempts, Duration.ofMillis(20), Duration.ofMillis(50),
                Duration.ofSeconds(1), Duration.ofSeconds(5), concurrency, perEndpoint, 1000, Duration.ofMillis(100),
                Duration.ofMillis(20), 100, true, Duration.ofDays(7));
    }

    private WebhookDispatcher dispatcher(WebhooksProperties settings) {
        WebhookEndpoints endpoints = WebhookEndpoints.watching(MONGO.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS),
                settings.refresh());
        WebhookDispatcher d = new WebhookDispatcher(deliveries(), endpoints, settings, new SimpleMeterRegistry(),
                Clock.systemUTC());
        open.add(d);
        open.add(endpoints);
        d.start();
        return d;
    }

    private static MongoCollection<Document> deliveries() {
        return MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES);
    }

    private static void endpoint(String id, String url) {
        MONGO.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS).insertOne(new Document(WebhookEndpoint.ID, id)
                .append(WebhookEndpoint.URL, url).append(WebhookEndpoint.EVENTS, List.of("message.offline"))
                .append(WebhookEndpoint.SECRET, SECRET).append(WebhookEndpoint.ENABLED, true));
    }

    private static List<String> enqueue(String endpoint, int n) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(WebhookOutbox.delivery(endpoint, "message.offline", i, new WebhookBody.Test(endpoint, "t"), new Date()));
        }
        deliveries().insertMany(docs);
        return docs.stream().map(d -> d.getObjectId("_id").toHexString()).toList();
    }

    private static long count(String endpoint, String state) {
        return deliveries().countDocuments(Filters.and(Filters.eq(WebhookDelivery.ENDPOINT, endpoint),
                Filters.eq(WebhookDelivery.STATE, state)));
    }

    @Test
    void aSlowEndpointHoldsOnlyItsOwnSlots() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        handlers.put("/slow", e -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
            return 204;
        });
        endpoint("aaaaaaaaaaaaaaaaaaaaaaa1", url("/slow"));
        endpoint("aaaaaaaaaaaaaaaaaaaaaaa2", url("/fast"));
        dispatcher(settings(true, 8, 4, 2));
        enqueue("aaaaaaaaaaaaaaaaaaaaaaa1", 10);
        enqueue("aaaaaaaaaaaaaaaaaaaaaaa2", 30);

        await().atMost(Duration.ofSeconds(15)).until(() -> count("aaaaaaaaaaaaaaaaaaaaaaa2", WebhookDelivery.DELIVERED) == 30);
        assertThat(count("aaaaaaaaaaaaaaaaaaaaaaa1", WebhookDelivery.DELIVERED)).isZero();
        assertThat(maxConcurrent.get()).isEqualTo(2); // per endpoint, while the other endpoint went on
        release.countDown();
        await().atMost(Duration.ofSeconds(15)).until(() -> count("aaaaaaaaaaaaaaaaaaaaaaa1", WebhookDelivery.DELIVERED) == 10);
        assertThat(hits.get("/fast")).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    void aFailingEndpointsDeliveryIsDeadAfterTheLastAttemptWithTheLastError() {
        handlers.put("/down", e -> 503);
        endpoint("bbbbbbbbbbbbbbbbbbbbbbb1", url("/down"));
        dispatcher(settings(true, 3, 4, 2));
        String id = enqueue("bbbbbbbbbbbbbbbbbbbbbbb1", 1).get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("bbbbbbbbbbbbbbbbbbbbbbb1", WebhookDelivery.DEAD) == 1);
        Document dead = deliveries().find(Filters.eq("_id", new org.bson.types.ObjectId(id))).first();
        assertThat(dead.getInteger(WebhookDelivery.ATTEMPTS)).isEqualTo(3);
        assertThat(dead.getString(WebhookDelivery.LAST_ERROR)).isEqualTo("HTTP 503");
        assertThat(hits.get("/down")).containsExactly(id, id, id);
    }

    @Test
    void redirectsAreNotFollowed() {
        handlers.put("/moved", e -> {
            e.getResponseHeaders().add("Location", url("/target"));
            return 302;
        });
        endpoint("ccccccccccccccccccccccc1", url("/moved"));
        dispatcher(settings(true, 2, 4, 2));
        enqueue("ccccccccccccccccccccccc1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("ccccccccccccccccccccccc1", WebhookDelivery.DEAD) == 1);
        assertThat(deliveries().find().first().getString(WebhookDelivery.LAST_ERROR)).isEqualTo("HTTP 302");
        assertThat(hits).doesNotContainKey("/target");
    }

    @Test
    void anAddressThatIsNoLongerPublicIsRefusedAtDelivery() {
        // registered while its name pointed elsewhere; now it is loopback, and private addresses are not allowed
        endpoint("ddddddddddddddddddddddd1", url("/internal"));
        dispatcher(settings(false, 2, 4, 2));
        enqueue("ddddddddddddddddddddddd1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("ddddddddddddddddddddddd1", WebhookDelivery.DEAD) == 1);
        assertThat(deliveries().find().first().getString(WebhookDelivery.LAST_ERROR)).startsWith("refused: ")
                .contains("127.0.0.1");
        assertThat(hits).doesNotContainKey("/internal");
    }

    @Test
    void twoDispatchersOnOneOutboxSendEachDeliveryOnce() {
        endpoint("eeeeeeeeeeeeeeeeeeeeeee1", url("/shared"));
        dispatcher(settings(true, 8, 8, 8));
        dispatcher(settings(true, 8, 8, 8));
        List<String> ids = enqueue("eeeeeeeeeeeeeeeeeeeeeee1", 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("eeeeeeeeeeeeeeeeeeeeeee1", WebhookDelivery.DELIVERED) == 200);
        assertThat(hits.get("/shared")).hasSize(200).containsExactlyInAnyOrderElementsOf(ids);
    }
}
