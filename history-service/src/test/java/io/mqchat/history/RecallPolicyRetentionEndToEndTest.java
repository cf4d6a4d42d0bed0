package io.mqchat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.redisson.client.codec.StringCodec;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recall over REST (with its events on the Redis bus), retention (the scheduled purge, on mongo-java-server,
 * which ignores TTL indexes), the per-device-type history policy, and revoked tokens — the whole app over
 * HTTP with {@code MQCHAT_HISTORYPOLICY=web=since-login,iot=none}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecallPolicyRetentionEndToEndTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();
    private static final TestRedis REDIS = new TestRedis();
    private static final long NOW = System.currentTimeMillis();
    private static final long DAY = 86_400_000L;
    private static final List<BusMessage.Publish> bus = new CopyOnWriteArrayList<>();
    private static MongoClient mongo;
    private static MongoDatabase db;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/recall-e2e");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", REDIS::address);
        registry.add("mqchat.history-policy", () -> "web=since-login, iot=none");
        registry.add("mqchat.retention-purge-interval", () -> "300ms"); // retention: the default 90 days
    }

    @BeforeAll
    static void seed() {
        REDIS.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .addListener(String.class, (channel, json) -> BusMessage.fromJson(json).filter(BusMessage.Publish.class::isInstance)
                        .map(BusMessage.Publish.class::cast).ifPresent(bus::add));
        mongo = MongoClients.create("mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort());
        db = mongo.getDatabase("recall-e2e");
        for (String user : List.of("amy", "ben", "cyd")) {
            db.getCollection(StoreSchema.USERS).insertOne(new Document("_id", user)
                    .append(StoreSchema.User.PASSWORD_HASH, "$2a$10$x").append(StoreSchema.User.CREATED_AT, new Date()));
        }
        List<ChatMessage> batch = new ArrayList<>(List.of(
                message("d:amy:ben", 1, "amy", "ben", NOW - 3_600_000, "an hour ago"),
                message("d:amy:ben", 2, "ben", "amy", NOW - 10_000, "from ben"),
                message("d:amy:ben", 3, "amy", "ben", NOW - 5_000, "oops, wrong chat"),
                // retention: older than 90 days
                message("d:amy:cyd", 1, "cyd", "amy", NOW - 100 * DAY, "ancient 1"),
                message("d:amy:cyd", 2, "amy", "cyd", NOW - 95 * DAY, "ancient 2"),
                message("d:amy:cyd", 3, "cyd", "amy", NOW - 89 * DAY, "still kept"),
                message("d:ben:cyd", 1, "ben", "cyd", NOW - 91 * DAY, "gone entirely")));
        batch.forEach(m -> db.getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(m)));
        new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC()).apply(batch);
    }

    private static ChatMessage message(String conv, long seq, String from, String to, long ts, String text) {
        return new ChatMessage(conv + "-" + seq, ConversationId.of(conv), seq, from, to, ts, "phone", "c-" + conv + "-" + seq, "text",
                TextNode.valueOf(text));
    }

    @AfterAll
    static void stop() {
        mongo.close();
        MONGO.shutdownNow();
        try {
            REDIS.close();
        } catch (Exception alreadyStopped) {
            // the last test stops the server
        }
    }

    @LocalServerPort
    int port;

    private TestHttp.Response recall(String conv, String id, String token) {
        return TestHttp.send(port, "POST", "/api/v1/conversations/" + conv + "/messages/" + id + "/recall",
                null, null, token);
    }

    private TestHttp.Response history(String conv, String token) {
        return TestHttp.get(port, "/api/v1/conversations/" + conv + "/messages", token);
    }

    private static List<Long> seqs(JsonNode messages) {
        List<Long> seqs = new ArrayList<>();
        messages.forEach(m -> seqs.add(m.get("seq").asLong()));
        return seqs;
    }

    @Test
    @Order(1)
    void theSenderRecallsWithinTheWindowAndBothSidesAreTold() {
        String amy = REDIS.login("amy", "phone");
        TestHttp.Response r = recall("d:amy:ben", "d:amy:ben-3", amy);
        assertThat(r.status()).isEqualTo(200);
        JsonNode m = r.json();
        assertThat(m.get("id").asText()).isEqualTo("d:amy:ben-3");
        assertThat(m.get("seq").asLong()).isEqualTo(3);
        assertThat(m.get("from").asText()).isEqualTo("amy");
        assertThat(m.get("ts").asLong()).isEqualTo(NOW - 5_000);
        assertThat(m.get("cid").asText()).isEqualTo("c-d:amy:ben-3");
        assertThat(m.get("type").asText()).isEqualTo("recalled");
        assertThat(m.get("body").isNull()).isTrue();
        assertThat(m.get("recalledAt").asLong()).isGreaterThanOrEqualTo(NOW);
        await().atMost(Duration.ofSeconds(5)).until(() -> bus.size() == 2);
        assertThat(bus).extracting(BusMessage.Publish::topic).containsExactlyInAnyOrder("chat/u/amy", "chat/u/ben");
        JsonNode event = Json.MAPPER.valueToTree(parse(bus.get(0).payload()));
        assertThat(event.get("type").asText()).isEqualTo("recall");
        assertThat(event.get("id").asText()).isEqualTo("d:amy:ben-3");
        assertThat(event.get("msgSeq").asLong()).isEqualTo(3);
        assertThat(event.get("by").asText()).isEqualTo("amy");

        // history shows it recalled, content gone; the other messages untouched
        JsonNode page = history("d:amy:ben", REDIS.login("ben", "phone")).json().get("messages");
        assertThat(seqs(page)).containsExactly(1L, 2L, 3L);
        assertThat(page.get(2).get("type").asText()).isEqualTo("recalled");
        assertThat(page.get(2).get("body").isNull()).isTrue();
        assertThat(page.get(1).get("body").asText()).isEqualTo("from ben");
        assertThat(db.getCollection(StoreSchema.MESSAGES).find(Filters.eq("_id", "d:amy:ben-3")).first())
                .doesNotContainKey("body");
        // the conversation list no longer previews the recalled text
        JsonNode conversations = TestHttp.get(port, "/api/v1/conversations", REDIS.login("ben", "phone")).json();
        JsonNode last = conversations.get("conversations").get(0).get("last");
        assertThat(last.get("id").asText()).isEqualTo("d:amy:ben-3");
        assertThat(last.get("type").asText()).isEqualTo("recalled");
        assertThat(last.get("text").isNull()).isTrue();

        // again: the same answer, no second event
        TestHttp.Response again = recall("d:amy:ben", "d:amy:ben-3", amy);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("recalledAt").asLong()).isEqualTo(m.get("recalledAt").asLong());
        assertThat(bus).hasSize(2);
    }

    private static Object parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(2)
    void recallsThatAreNotAllowedAreRefused() {
        String amy = REDIS.login("amy", "phone");
        int events = bus.size();
        TestHttp.Response late = recall("d:amy:ben", "d:amy:ben-1", amy);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.contentType()).startsWith("application/problem+json");
        assertThat(late.json().get("code").asText()).isEqualTo("recall_window_passed");
        TestHttp.Response notMine = recall("d:amy:ben", "d:amy:ben-2", amy);
        assertThat(notMine.status()).isEqualTo(403);
        assertThat(recall("d:amy:ben", "d:amy:ben-2", REDIS.login("cyd", "phone")).status()).isEqualTo(403);
        assertThat(recall("d:amy:ben", "no-such-id", amy).status()).isEqualTo(404);
        assertThat(recall("d:amy:cyd", "d:amy:ben-2", amy).status()).as("a message of another conversation")
                .isEqualTo(404);
        assertThat(history("d:amy:ben", amy).json().get("messages").get(1).get("body").asText()).isEqualTo("from ben");
        assertThat(bus).hasSize(events);
    }

    @Test
    @Order(3)
    void retentionPurgesOldMessagesInTheBackgroundAndKeepsTheSummaries() {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                db.getCollection(StoreSchema.MESSAGES).countDocuments(Filters.in("conv", "d:amy:cyd", "d:ben:cyd")) == 1);
        String cy = REDIS.login("cyd", "phone");
        assertThat(seqs(history("d:amy:cyd", cy).json().get("messages"))).containsExactly(3L);
        assertThat(history("d:ben:cyd", cy).json().get("messages")).isEmpty();
        JsonNode list = TestHttp.get(port, "/api/v1/conversations", cy).json().get("conversations");
        JsonNode gone = null;
        for (JsonNode c : list) {
            if (c.get("conv").asText().equals("d:ben:cyd")) {
                gone = c;
            }
        }
        assertThat(gone).as("the summary stays").isNotNull();
        assertThat(gone.get("lastSeq").asLong()).isEqualTo(1);
        assertThat(gone.get("last").get("text").isNull()).as("no purged text in the preview").isTrue();
        // sync moves past what was purged instead of waiting for it
        JsonNode sync = TestHttp.get(port, "/api/v1/sync", cy).json();
        assertThat(seqs(sync.get("messages"))).containsExactly(3L);
        assertThat(sync.get("complete").get("d:ben:cyd").asLong()).isEqualTo(1);
        assertThat(sync.get("complete").get("d:amy:cyd").asLong()).isEqualTo(3);
        String metrics = TestHttp.get(port, "/actuator/prometheus", null).raw().body();
        assertThat(metrics).containsPattern("mqchat_retention_purged_total\\{[^}]*} 3\\.0");
    }

    @Test
    @Order(4)
    void sinceLoginDevicesSeeNothingOlderThanTheirLoginAndNoneDevicesSeeNothing() {
        String web = REDIS.login("ben", "web");
        String iot = REDIS.login("ben", "iot");
        assertThat(history("d:amy:ben", web).json().get("messages")).isEmpty();
        ChatMessage fresh = message("d:amy:ben", 4, "amy", "ben", System.currentTimeMillis(), "after the login");
        db.getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(fresh));
        new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC()).apply(List.of(fresh));

        assertThat(seqs(history("d:amy:ben", web).json().get("messages"))).containsExactly(4L);
        JsonNode sync = TestHttp.get(port, "/api/v1/sync", web).json();
        assertThat(seqs(sync.get("messages"))).containsExactly(4L);
        assertThat(sync.get("complete").get("d:amy:ben").asLong()).isEqualTo(4);
        JsonNode posted = TestHttp.send(port, "POST", "/api/v1/sync", "application/json",
                "{\"conversations\":{\"d:amy:ben\":0}}", web).json();
        assertThat(seqs(posted.get("messages"))).containsExactly(4L);

        assertThat(history("d:amy:ben", iot).json().get("messages")).isEmpty();
        JsonNode iotSync = TestHttp.get(port, "/api/v1/sync", iot).json();
        assertThat(iotSync.get("messages")).isEmpty();
        assertThat(iotSync.get("hasMore").asBoolean()).isFalse();
        // a phone (policy all) still sees everything
        assertThat(seqs(history("d:amy:ben", REDIS.login("ben", "phone")).json().get("messages")))
                .containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    @Order(5)
    void aReplacedTokenIsRefused() {
        String first = REDIS.login("amy", "desktop");
        assertThat(history("d:amy:ben", first).status()).isEqualTo(200);
        String second = REDIS.login("amy", "desktop");
        TestHttp.Response refused = history("d:amy:ben", first);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(TestHttp.get(port, "/api/v1/sync", first).status()).isEqualTo(401);
        assertThat(history("d:amy:ben", second).status()).isEqualTo(200);
        REDIS.logins.remove("amy", "desktop"); // logout
        assertThat(history("d:amy:ben", second).status()).isEqualTo(401);
    }

    @Test
    @Order(6)
    void redisDownIs503() throws Exception {
        String amy = REDIS.login("amy", "phone");
        REDIS.server.stop();
        TestHttp.Response r = history("d:amy:ben", amy);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }
}
