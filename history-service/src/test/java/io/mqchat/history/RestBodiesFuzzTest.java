package io.mqchat.history;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.web.HostileBodies;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;

/**
 * Fuzzes history-service's request bodies (sync, read position) against the real app, seeded with a few
 * messages: whatever the body, the answer is a success or a 4xx problem document, never a 5xx, HTML or a
 * stack trace. Tries: jqwik's default from {@code junit-platform.properties}; longer campaigns with
 * {@code -Djqwik.tries.default=20000}.
 */
class RestBodiesFuzzTest {

    private static final String CONV = "d:alice:fuzzer";

    private static MongoServer mongo;
    private static TestRedis redis;
    private static ConfigurableApplicationContext app;
    private static int port;
    private static String token;

    record Endpoint(String method, String path) {
    }

    @BeforeContainer
    static void start() {
        mongo = new MongoServer(new MemoryBackend());
        String uri = "mongodb://127.0.0.1:" + mongo.bind().getPort();
        try (MongoClient client = MongoClients.create(uri)) {
            for (long seq = 1; seq <= 3; seq++) {
                client.getDatabase("fuzz").getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(
                        new ChatMessage("m" + seq, ConversationId.of(CONV), seq, "alice", "fuzzer", System.currentTimeMillis(), "phone",
                                "c" + seq, "text", Json.MAPPER.getNodeFactory().textNode("hello " + seq))));
            }
        }
        redis = new TestRedis();
        app = HistoryServiceApplication.builder().properties(Map.of(
                "server.port", 0,
                "mqchat.mongo.uri", uri + "/fuzz",
                "mqchat.jwt.secret", TestSupport.SECRET,
                "mqchat.redis.address", redis.address())).run();
        port = ((WebServerApplicationContext) app).getWebServer().getPort();
        token = redis.login("fuzzer", "web");
    }

    @AfterContainer
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (mongo != null) {
            mongo.shutdownNow();
        }
    }

    @Provide
    Arbitrary<Endpoint> endpoints() {
        return Arbitraries.of(
                new Endpoint("POST", "/api/v1/sync"),
                new Endpoint("POST", "/api/v1/conversations/" + CONV + "/read"));
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return HostileBodies.bodies();
    }

    @Property
    void everyBodyGetsASuccessOrA4xxProblem(@ForAll("endpoints") Endpoint endpoint, @ForAll("bodies") byte[] body) {
        HostileBodies.assertAnswerIsAcceptable(port, endpoint.method(), endpoint.path(), body, token);
    }
}
