package io.mqchat.api;

import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A database that goes away turns into a quick 503 problem, not a hang or a stack trace. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class MongoDownTest {

    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("down");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        // short, so the outage answers quickly; not so short that start-up on a loaded machine times out
        registry.add("mqchat.mongo.server-selection-timeout", () -> "2s");
        registry.add("mqchat.admins", () -> "down-root");
    }

    @LocalServerPort
    int port;

    @Test
    void databaseOutageIsA503Problem() {
        MONGO.close();
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
        MONGO.close();
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
