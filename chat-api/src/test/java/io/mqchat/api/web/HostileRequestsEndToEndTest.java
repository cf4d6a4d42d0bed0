package io.mqchat.api.web;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.api.TestSupport;
import io.mqchat.web.HostileRequestsContract;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;

/** chat-api answers every client mistake with a problem document ({@link HostileRequestsContract}). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class HostileRequestsEndToEndTest extends HostileRequestsContract {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/hostile");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", TestSupport::redisAddress);
    }

    @AfterAll
    static void stopMongo() {
        MONGO.shutdownNow();
    }

    @LocalServerPort
    int port;

    private final String token = TestSupport.loggedInToken("hostile", "web");

    @Override
    protected int port() {
        return port;
    }

    @Override
    protected String token() {
        return token;
    }

    @Override
    protected String jsonPostPath() {
        return "/api/v1/groups";
    }

    @Override
    protected String bodyWithDuplicateKey() {
        return "{\"name\":\"Team\",\"members\":[],\"name\":\"Other\"}";
    }

    @Override
    protected String getPath() {
        return "/api/v1/groups";
    }

    @Override
    protected String numericParameter() {
        return "page";
    }
}
