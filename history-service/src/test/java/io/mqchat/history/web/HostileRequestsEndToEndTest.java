package io.mqchat.history.web;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.history.TestRedis;
import io.mqchat.history.TestSupport;
import io.mqchat.web.HostileRequestsContract;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;

/** history-service answers every client mistake with a problem document ({@link HostileRequestsContract}). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class HostileRequestsEndToEndTest extends HostileRequestsContract {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();
    private static final TestRedis REDIS = new TestRedis();
    private static final String ALICE = REDIS.login("alice", "phone");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/hostile");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", REDIS::address);
    }

    @AfterAll
    static void stop() throws Exception {
        MONGO.shutdownNow();
        REDIS.close();
    }

    @LocalServerPort
    int port;

    @Override
    protected int port() {
        return port;
    }

    @Override
    protected String token() {
        return ALICE;
    }

    @Override
    protected String jsonPostPath() {
        return "/api/v1/conversations/d:alice:bob/read";
    }

    @Override
    protected String bodyWithDuplicateKey() {
        return "{\"name\":1,\"seq\":3,\"name\":2}";
    }

    @Override
    protected String getPath() {
        return "/api/v1/conversations/d:alice:bob/messages";
    }

    @Override
    protected String numericParameter() {
        return "limit";
    }
}
