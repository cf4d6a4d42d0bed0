package io.mqchat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole app over HTTP against an in-process MongoDB holding 120 messages of {@code d:alice:bob}
 * (inserted the way the broker stores them). Started through {@code main}, i.e. {@code builder()}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class HistoryEndToEndTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();
    private static final String CONV = "d:alice:bob";
    private static final String PATH = "/api/v1/conversations/" + CONV + "/messages";
    private static final AccessTokens TOKENS = new AccessTokens(TestSupport.SECRET);
    private static final TestRedis REDIS = new TestRedis();
    private static final String ALICE = REDIS.login("alice", "phone");
    private static final String BOB = REDIS.login("bob", "web");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/history-e2e");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", REDIS::address);
        // the seeded messages are from 2023: keep them
        registry.add("mqchat.retention", () -> "off");
    }

    @BeforeAll
    static void seed() {
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort())) {
            MongoDatabase db = client.getDatabase("history-e2e");
            for (String user : List.of("alice", "bob", "carol")) {
                db.getCollection(StoreSchema.USERS).insertOne(new Document("_id", user)
                        .append(StoreSchema.User.PASSWORD_HASH, "$2a$10$x").append(StoreSchema.User.CREATED_AT, new Date()));
            }
            List<Document> docs = new ArrayList<>();
            for (long seq = 1; seq <= 120; seq++) {
                boolean fromAlice = seq % 2 == 1;
                JsonNode body = seq == 7 ? Json.MAPPER.createObjectNode().put("lat", 47.5).put("label", "here")
                        : Json.MAPPER.getNodeFactory().textNode("message " + seq);
                docs.add(MessageDocuments.toDocument(new ChatMessage("m" + seq, ConversationId.of(CONV), seq,
                        fromAlice ? "alice" : "bob", fromAlice ? "bob" : "alice", 1_700_000_000_000L + seq,
                        "phone", "c" + seq, seq == 7 ? "location" : "text", body)));
            }
            // a neighbour conversation that must never leak into d:alice:bob
            docs.add(MessageDocuments.toDocument(new ChatMessage("x1", ConversationId.of("d:alice:carol"), 1, "carol", "alice",
                    1_700_000_000_000L, "web", "x", "text", Json.MAPPER.getNodeFactory().textNode("other"))));
            db.getCollection(StoreSchema.MESSAGES).insertMany(docs);
        }
    }

    @AfterAll
    static void stopMongo() throws Exception {
        MONGO.shutdownNow();
        REDIS.close();
    }

    @LocalServerPort
    int port;

    private TestHttp.Response page(String query, String token) {
        return TestHttp.get(port, PATH + query, token);
    }

    private static List<Long> seqs(TestHttp.Response response) {
        List<Long> seqs = new ArrayList<>();
        response.json().get("messages").forEach(m -> seqs.add(m.get("seq").asLong()));
        return seqs;
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    @Test
    void defaultPageIsTheNewest50Ascending() {
        TestHttp.Response response = page("", ALICE);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("conv").asText()).isEqualTo(CONV);
        assertThat(seqs(response)).isEqualTo(range(71, 120));
        assertThat(response.json().get("hasMore").asBoolean()).isTrue();
        JsonNode last = response.json().get("messages").get(49);
        assertThat(Json.MAPPER.convertValue(last, java.util.Map.class)).isEqualTo(java.util.Map.of(
                "id", "m120", "conv", CONV, "seq", 120, "from", "bob", "to", "alice",
                "ts", 1_700_000_000_120L, "dev", "phone", "cid", "c120", "type", "text", "body", "message 120"));
    }

    @Test
    void messagesLookExactlyLikeTheMqttEnvelope() {
        TestHttp.Response response = page("?afterSeq=6&limit=1", BOB);

        JsonNode only = response.json().get("messages").get(0);
        byte[] expected = new ChatMessage("m7", ConversationId.of(CONV), 7, "alice", "bob", 1_700_000_000_007L, "phone", "c7",
                "location", Json.MAPPER.createObjectNode().put("lat", 47.5).put("label", "here")).toJsonBytes();
        // compared as text: the same JSON, field order included (node classes differ for small longs)
        assertThat(only.toString()).isEqualTo(new String(expected, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void afterSeqPagingWalksEveryMessageExactlyOnce() {
        List<Long> seen = new ArrayList<>();
        long after = 0;
        boolean hasMore = true;
        int requests = 0;
        while (hasMore) {
            TestHttp.Response response = page("?afterSeq=" + after + "&limit=50", ALICE);
            assertThat(response.status()).isEqualTo(200);
            List<Long> batch = seqs(response);
            seen.addAll(batch);
            hasMore = response.json().get("hasMore").asBoolean();
            if (!batch.isEmpty()) {
                after = batch.get(batch.size() - 1);
            }
            assertThat(++requests).as("paging must terminate").isLessThanOrEqualTo(5);
        }
        assertThat(seen).isEqualTo(range(1, 120));
        assertThat(requests).isEqualTo(3);
    }

    @Test
    void beforeSeqPagingWalksBackwards() {
        TestHttp.Response first = page("?beforeSeq=71&limit=50", ALICE);
        assertThat(seqs(first)).isEqualTo(range(21, 70));
        assertThat(first.json().get("hasMore").asBoolean()).isTrue();

        TestHttp.Response second = page("?beforeSeq=21&limit=50", ALICE);
        assertThat(seqs(second)).isEqualTo(range(1, 20));
        assertThat(second.json().get("hasMore").asBoolean()).isFalse();
    }

    @Test
    void bothBoundsGiveTheRangeBetweenAscending() {
        TestHttp.Response response = page("?afterSeq=10&beforeSeq=20&limit=5", ALICE);
        assertThat(seqs(response)).isEqualTo(range(11, 15));
        assertThat(response.json().get("hasMore").asBoolean()).isTrue();

        TestHttp.Response rest = page("?afterSeq=15&beforeSeq=20&limit=5", ALICE);
        assertThat(seqs(rest)).isEqualTo(range(16, 19));
        assertThat(rest.json().get("hasMore").asBoolean()).isFalse();
    }

    @Test
    void limitIsCappedAt200() {
        TestHttp.Response response = page("?afterSeq=0&limit=100000", ALICE);
        assertThat(response.status()).isEqualTo(200);
        assertThat(seqs(response)).isEqualTo(range(1, 120));
        assertThat(response.json().get("hasMore").asBoolean()).isFalse();
    }

    @Test
    void badPagingParametersAre400() {
        for (String query : new String[]{"?limit=0", "?limit=-3", "?limit=ten", "?afterSeq=x", "?beforeSeq=0",
                "?afterSeq=-1", "?afterSeq=20&beforeSeq=20", "?limit=99999999999999999999"}) {
            TestHttp.Response response = page(query, ALICE);
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void tokensAreRequired() {
        TestHttp.Response none = page("", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");

        assertThat(page("", TOKENS.issue("alice", "phone", Duration.ofSeconds(-1))).status()).isEqualTo(401);
        assertThat(page("", "garbage.garbage.garbage").status()).isEqualTo(401);
        String forged = new AccessTokens("not-the-secret-not-the-secret-not!!").issue("alice", "phone",
                Duration.ofHours(1));
        assertThat(page("", forged).status()).isEqualTo(401);
    }

    @Test
    void nonMembersAreForbidden() {
        TestHttp.Response response = page("", REDIS.login("carol", "phone"));
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.raw().body()).doesNotContain("message ");
    }

    @Test
    void invalidConversationIdsAre400() {
        for (String conv : new String[]{"d:bob:alice", "alice", "d:alice", "d:alice:bob:carol", "x:alice:bob",
                "d:alice:{$gt:''}", "d:al:bob"}) {
            TestHttp.Response response = TestHttp.get(port,
                    "/api/v1/conversations/" + java.net.URLEncoder.encode(conv, java.nio.charset.StandardCharsets.UTF_8)
                            + "/messages", ALICE);
            assertThat(response.status()).as(conv).isEqualTo(400);
            assertThat(response.json().get("detail").asText()).startsWith("conv must be a conversation id");
        }
    }

    @Test
    void groupsOfNonMembersAre403AndUnknownPeers404() {
        TestHttp.Response group = TestHttp.get(port, "/api/v1/conversations/g:friends/messages", ALICE);
        assertThat(group.status()).isEqualTo(403);
        assertThat(group.json().get("detail").asText()).contains("not a member");

        TestHttp.Response ghost = TestHttp.get(port, "/api/v1/conversations/d:alice:ghost/messages", ALICE);
        assertThat(ghost.status()).isEqualTo(404);
        assertThat(ghost.json().get("detail").asText()).contains("other user does not exist");
    }

    @Test
    void actuatorExposesHealthAndPrometheus() {
        page("", ALICE);
        TestHttp.Response health = TestHttp.get(port, "/actuator/health", null);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(TestHttp.get(port, "/actuator/prometheus", null).raw().body())
                .contains("application=\"history-service\"").contains("http_server_requests_seconds_count");
        assertThat(TestHttp.get(port, "/v3/api-docs", null).raw().body())
                .contains("/api/v1/conversations/{conv}/messages");
    }
}
