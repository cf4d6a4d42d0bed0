package io.mqchat.history.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.history.TestSupport;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Conversations, read receipts (with their events on the Redis bus), sync and history by time, over HTTP
 * against the whole app on mongo-java-server and an embedded Redis. Messages and summaries are written the
 * way the broker writes them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class ConversationsAndSyncEndToEndTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();
    private static final int REDIS_PORT = freePort();
    private static final AccessTokens TOKENS = new AccessTokens(TestSupport.SECRET);
    private static final long T0 = System.currentTimeMillis() - 3_600_000;
    private static RedisServer redis;
    private static RedissonClient redisson;
    private static final List<BusMessage.Publish> bus = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/sync-e2e");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", () -> "redis://127.0.0.1:" + REDIS_PORT);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void seed() throws IOException {
        redis = RedisServer.newRedisServer().port(REDIS_PORT).bind("127.0.0.1").setting("save \"\"")
                .setting("appendonly no").onShutdownForceStop(true).build();
        redis.start();
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + REDIS_PORT);
        redisson = Redisson.create(config);
        redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .addListener(String.class, (channel, json) -> BusMessage.fromJson(json).filter(BusMessage.Publish.class::isInstance)
                        .map(BusMessage.Publish.class::cast).ifPresent(bus::add));
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort())) {
            MongoDatabase db = client.getDatabase("sync-e2e");
            for (String user : List.of("alice", "bob", "carol", "dave", "erin", "frank")) {
                db.getCollection(StoreSchema.USERS).insertOne(new Document("_id", user)
                        .append(StoreSchema.User.PASSWORD_HASH, "$2a$10$x").append(StoreSchema.User.CREATED_AT, new Date()));
            }
            SummaryWriter summaries = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC());
            List<ChatMessage> batch = new ArrayList<>();
            // bob: 5 from alice (ts T0+1..5), then 3 from carol later; bob answered carol's 2nd
            for (long s = 1; s <= 5; s++) {
                batch.add(message("d:alice:bob", s, "alice", "bob", T0 + s));
            }
            batch.add(message("d:bob:carol", 1, "carol", "bob", T0 + 100));
            batch.add(message("d:bob:carol", 2, "carol", "bob", T0 + 101));
            batch.add(message("d:bob:carol", 3, "bob", "carol", T0 + 102));
            batch.add(message("d:bob:carol", 4, "carol", "bob", T0 + 103));
            // dave and erin: for read receipts and sync
            for (long s = 1; s <= 6; s++) {
                batch.add(message("d:dave:erin", s, "erin", "dave", T0 + s));
            }
            batch.forEach(m -> db.getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(m)));
            summaries.apply(batch);
        }
    }

    private static ChatMessage message(String conv, long seq, String from, String to, long ts) {
        return new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, to, ts, "phone", conv + "-" + seq,
                "text", TextNode.valueOf(from + " says " + seq));
    }

    @AfterAll
    static void stop() throws IOException {
        redisson.shutdown();
        redis.stop();
        MONGO.shutdownNow();
    }

    @LocalServerPort
    int port;

    private static String token(String user) {
        return new io.mqchat.common.redis.DeviceLogins(redisson, Clock.systemUTC()).issue(TOKENS, user, "phone",
                Duration.ofHours(1), io.mqchat.common.auth.DevicePolicy.perType()).token();
    }

    private TestHttp.Response get(String path, String user) {
        return TestHttp.get(port, path, user == null ? null : token(user));
    }

    private TestHttp.Response post(String path, String body, String user) {
        return TestHttp.send(port, "POST", path, "application/json", body, token(user));
    }

    private static void assertProblem(TestHttp.Response r, int status) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void conversationsAreListedRecentFirstWithUnreadAndPeerReadPositionsAndPaged() {
        TestHttp.Response r = get("/api/v1/conversations", "bob");
        assertThat(r.status()).isEqualTo(200);
        JsonNode list = r.json().get("conversations");
        assertThat(list).extracting(n -> n.get("conv").asText()).containsExactly("d:bob:carol", "d:alice:bob");
        JsonNode carol = list.get(0);
        assertThat(carol.get("peer").asText()).isEqualTo("carol");
        assertThat(carol.get("lastSeq").asLong()).isEqualTo(4);
        assertThat(carol.get("readSeq").asLong()).isEqualTo(3);
        assertThat(carol.get("unread").asLong()).isEqualTo(1);
        assertThat(carol.get("peerReadSeq").asLong()).isEqualTo(4);
        assertThat(carol.get("last").get("text").asText()).isEqualTo("carol says 4");
        assertThat(list.get(1).get("unread").asLong()).isEqualTo(5);
        assertThat(list.get(1).get("peerReadSeq").asLong()).isEqualTo(5);
        assertThat(r.json().get("hasMore").asBoolean()).isFalse();

        TestHttp.Response first = get("/api/v1/conversations?limit=1", "bob");
        assertThat(first.json().get("hasMore").asBoolean()).isTrue();
        TestHttp.Response second = get("/api/v1/conversations?limit=1&before=" + first.json().get("cursor").asText(), "bob");
        assertThat(second.json().get("conversations")).extracting(n -> n.get("conv").asText()).containsExactly("d:alice:bob");
        assertThat(second.json().get("hasMore").asBoolean()).isFalse();

        assertThat(get("/api/v1/conversations", "frank").json().get("conversations")).isEmpty();
        assertProblem(get("/api/v1/conversations", null), 401);
        assertProblem(get("/api/v1/conversations?limit=0", "bob"), 400);
        assertProblem(get("/api/v1/conversations?before=bm9wZQ", "bob"), 400);
    }

    @Test
    void readingMovesForwardOnlyRecomputesUnreadAndTellsAllDevicesAndThePeer() {
        TestHttp.Response read = post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":4}", "dave");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("readSeq").asLong()).isEqualTo(4);
        assertThat(read.json().get("unread").asLong()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.stream().filter(m -> m.payload().contains("d:dave:erin")).count() == 2);
        assertThat(bus).filteredOn(m -> m.payload().contains("d:dave:erin"))
                .extracting(BusMessage.Publish::topic).containsExactlyInAnyOrder("chat/u/dave", "chat/u/erin");
        JsonNode event = Json.MAPPER.valueToTree(bus.stream().filter(m -> m.topic().equals("chat/u/erin"))
                .map(m -> {
                    try {
                        return Json.MAPPER.readTree(m.payload());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).findFirst().orElseThrow());
        assertThat(event.get("type").asText()).isEqualTo("read");
        assertThat(event.get("by").asText()).isEqualTo("dave");
        assertThat(event.get("upTo").asLong()).isEqualTo(4);
        assertThat(event.has("seq")).isFalse();
        assertThat(bus).allMatch(m -> m.clientId() == null, "to all devices, not one");

        // never back, and no event when nothing moved
        int events = bus.size();
        assertThat(post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":2}", "dave").json().get("readSeq").asLong())
                .isEqualTo(4);
        // beyond the last stored seq: capped at it
        assertThat(post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":999}", "dave").json().get("readSeq").asLong())
                .isEqualTo(6);
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.size() == events + 2);
        JsonNode listed = get("/api/v1/conversations", "dave").json().get("conversations").get(0);
        assertThat(listed.get("unread").asLong()).isZero();
        assertThat(get("/api/v1/conversations", "erin").json().get("conversations").get(0).get("peerReadSeq").asLong())
                .isEqualTo(6);

        assertProblem(post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":3}", "carol"), 403);
        assertProblem(post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":-1}", "dave"), 400);
        assertProblem(post("/api/v1/conversations/d:dave:erin/read", "{\"seq\":\"x\"}", "dave"), 400);
        assertProblem(post("/api/v1/conversations/d:dave:erin/read", "{}", "dave"), 400);
        assertProblem(post("/api/v1/conversations/d:erin:dave/read", "{\"seq\":1}", "dave"), 400);
    }

    @Test
    void syncPagesEverythingForANewDeviceThenOnlyWhatIsNew() {
        List<String> got = new ArrayList<>();
        String cursor = null;
        boolean more = true;
        int pages = 0;
        while (more) {
            TestHttp.Response r = get("/api/v1/sync?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), "bob");
            assertThat(r.status()).isEqualTo(200);
            r.json().get("messages").forEach(m -> got.add(m.get("conv").asText() + "/" + m.get("seq").asLong()));
            cursor = r.json().get("cursor").asText();
            more = r.json().get("hasMore").asBoolean();
            assertThat(r.json().has("retryAfterMs")).isFalse();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(got).containsExactly("d:bob:carol/1", "d:bob:carol/2", "d:bob:carol/3", "d:bob:carol/4",
                "d:alice:bob/1", "d:alice:bob/2", "d:alice:bob/3", "d:alice:bob/4", "d:alice:bob/5");
        TestHttp.Response again = post("/api/v1/sync", "{\"cursor\":\"" + cursor + "\"}", "bob");
        assertThat(again.json().get("messages")).isEmpty();
        assertThat(again.json().get("hasMore").asBoolean()).isFalse();

        TestHttp.Response explicit = post("/api/v1/sync", "{\"conversations\":{\"d:alice:bob\":3,\"d:bob:carol\":4},\"limit\":10}", "bob");
        assertThat(explicit.json().get("messages")).extracting(m -> m.get("seq").asLong()).containsExactly(4L, 5L);
        assertThat(explicit.json().get("complete").get("d:alice:bob").asLong()).isEqualTo(5);
        assertThat(explicit.json().get("messages").get(0).get("body").asText()).isEqualTo("alice says 4");

        assertProblem(post("/api/v1/sync", "{\"conversations\":{\"d:dave:erin\":0}}", "bob"), 400);
        assertProblem(post("/api/v1/sync", "{\"conversations\":{\"d:alice:bob\":{\"$gt\":0}}}", "bob"), 400);
        assertProblem(post("/api/v1/sync", "{\"cursor\":\"garbage\"}", "bob"), 400);
        assertProblem(post("/api/v1/sync", "{\"since\":1}", "bob"), 400);
        assertProblem(post("/api/v1/sync", "[1]", "bob"), 400);
        assertProblem(get("/api/v1/sync?cursor=%24%24", "bob"), 400);
        assertProblem(get("/api/v1/sync", null), 401);
    }

    @Test
    void historyByTime() {
        String path = "/api/v1/conversations/d:alice:bob/messages";
        assertThat(get(path + "?afterTs=" + (T0 + 2), "bob").json().get("messages"))
                .extracting(m -> m.get("seq").asLong()).containsExactly(3L, 4L, 5L);
        assertThat(get(path + "?beforeTs=" + (T0 + 3) + "&limit=1", "bob").json().get("messages"))
                .extracting(m -> m.get("seq").asLong()).containsExactly(2L);
        assertThat(get(path + "?afterTs=" + (T0 + 1) + "&beforeTs=" + (T0 + 4), "bob").json().get("messages"))
                .extracting(m -> m.get("seq").asLong()).containsExactly(2L, 3L);
        assertProblem(get(path + "?afterTs=9&beforeTs=3", "bob"), 400);
        assertProblem(get(path + "?afterTs=yesterday", "bob"), 400);
    }
}
