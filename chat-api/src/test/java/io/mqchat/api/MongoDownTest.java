package io.mqchat.api;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A database that goes away turns into a quick 503 problem, not a hang or a stack trace. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class MongoDownTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/down");
        // short, so the outage answers quickly; not so short that start-up on a loaded machine times out
        registry.add("mqchat.mongo.server-selection-timeout", () -> "2s");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", TestSupport::redisAddress);
        registry.add("mqchat.admins", () -> "down-root");
    }

    @LocalServerPort
    int port;

    @Test
    void databaseOutageIsA503Problem() {
        MONGO.shutdownNow();
        long start = System.nanoTime();

        TestHttp.Response response = TestHttp.postJson(port, "/api/v1/auth/register",
                "{\"userId\":\"carol\",\"password\":\"s3cret-pass\"}");

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).contains("database is unavailable");
        assertThat(response.raw().body()).doesNotContain("Exception");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void adminStatsSayTheDatabaseIsDownAndStillCountWhatRedisHolds() {
        MONGO.shutdownNow();
        long start = System.nanoTime();

        TestHttp.Response response = TestHttp.send(port, "GET", "/api/v1/admin/stats", null, null,
                TestSupport.loggedInToken("down-root", "web"));

        assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
        assertThat(response.json().get("health").get("mongo").get("status").asText()).isEqualTo("DOWN");
        assertThat(response.json().get("health").get("mongo").get("reason").asText()).isNotBlank();
        assertThat(response.json().get("health").get("redis").get("status").asText()).isEqualTo("UP");
        assertThat(response.json().get("messages").isNull()).isTrue();
        assertThat(response.json().get("users").isNull()).isTrue();
        assertThat(response.json().get("online").get("users").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
