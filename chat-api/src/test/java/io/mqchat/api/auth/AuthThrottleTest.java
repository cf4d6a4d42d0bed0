package io.mqchat.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.api.TestMongo;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Login and registration throttling over HTTP, the real app against an in-process MongoDB and Redis. Short
 * windows: 3 failures per account (then one per 3 s), 5 per address, 3 registrations per address. Each
 * test speaks from its own loopback address (127.x.y.z: all of 127/8 is loopback on Linux), so buckets of
 * other tests and of other test classes (127.0.0.1) do not interfere.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class AuthThrottleTest {

    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("throttle");
    private static final String PASSWORD = "right-pass-1";
    private static final AtomicInteger ADDRESSES = new AtomicInteger();
    private static final int RUN = ThreadLocalRandom.current().nextInt(2, 250);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.rate-limit.login-failures", () -> "20/m,burst=3");
        registry.add("mqchat.rate-limit.address-login-failures", () -> "20/m,burst=5");
        registry.add("mqchat.rate-limit.registrations", () -> "20/m,burst=3");
    }

    @LocalServerPort
    int port;

    /** A loopback address no other test has used. */
    private static String newAddress() {
        return "127." + RUN + ".1." + (ADDRESSES.incrementAndGet() + 1);
    }

    private TestHttp.RawResponse post(String from, String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return TestHttp.raw(from, port, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length, body);
    }

    private TestHttp.RawResponse login(String from, String user, String password) {
        return post(from, "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceType\":\"phone\"}");
    }

    private TestHttp.RawResponse register(String from, String user) {
        return post(from, "/api/v1/auth/register", "{\"userId\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}");
    }

    /** A registered user (from a fresh address, so registrations do not count against the test's). */
    private String newUser() {
        String user = "t" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(register(newAddress(), user).status()).isEqualTo(201);
        return user;
    }

    private static long assertThrottled(TestHttp.RawResponse response, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(429);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("code").asText()).isEqualTo(code);
        assertThat(problem.get("detail").asText()).contains("try again in");
        long retryAfter = Long.parseLong(response.headers().get("retry-after"));
        assertThat(retryAfter).isBetween(1L, 60L);
        return retryAfter;
    }

    @Test
    void failedLoginsLockTheAccountEvenForTheRightPasswordUntilTheWindowPasses() {
        String user = newUser();
        String from = newAddress();
        for (int i = 0; i < 3; i++) {
            assertThat(login(from, user, "wrong-pass-" + i).status()).isEqualTo(401);
        }
        long retryAfter = assertThrottled(login(from, user, "wrong-pass-3"), LoginThrottle.LOGIN_THROTTLED);
        // one token refills every 3 s
        assertThat(retryAfter).isBetween(1L, 3L);
        assertThrottled(login(from, user, PASSWORD), LoginThrottle.LOGIN_THROTTLED);
        // the lock is the account's, wherever the guesses come from
        assertThrottled(login(newAddress(), user, PASSWORD), LoginThrottle.LOGIN_THROTTLED);
        // another account from the same address is not affected
        String other = newUser();
        assertThat(login(from, other, PASSWORD).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> login(from, user, PASSWORD).status() == 200);
    }

    @Test
    void unknownAccountsAreThrottledExactlyLikeRealOnes() {
        String known = newUser();
        String unknown = "n" + UUID.randomUUID().toString().substring(0, 8);
        String fromKnown = newAddress();
        String fromUnknown = newAddress();
        for (int i = 0; i < 3; i++) {
            TestHttp.RawResponse a = login(fromKnown, known, "wrong-pass-" + i);
            TestHttp.RawResponse b = login(fromUnknown, unknown, "wrong-pass-" + i);
            assertThat(a.status()).isEqualTo(401);
            assertThat(b.status()).isEqualTo(401);
            assertThat(b.json().get("detail")).isEqualTo(a.json().get("detail"));
        }
        TestHttp.RawResponse a = login(fromKnown, known, "wrong-pass-3");
        TestHttp.RawResponse b = login(fromUnknown, unknown, "wrong-pass-3");
        assertThrottled(a, LoginThrottle.LOGIN_THROTTLED);
        assertThrottled(b, LoginThrottle.LOGIN_THROTTLED);
        assertThat(b.json().get("title")).isEqualTo(a.json().get("title"));
    }

    @Test
    void failuresAcrossAccountsFromOneAddressLockThatAddressOnly() {
        String user = newUser();
        String from = newAddress();
        for (int i = 0; i < 5; i++) {
            // a different account each time: no account reaches its own limit
            assertThat(login(from, "n" + UUID.randomUUID().toString().substring(0, 8), "guess-pass-1").status())
                    .isEqualTo(401);
        }
        assertThrottled(login(from, user, PASSWORD), LoginThrottle.LOGIN_THROTTLED);
        assertThat(login(newAddress(), user, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void malformedLoginsAreNotCounted() {
        String user = newUser();
        String from = newAddress();
        for (int i = 0; i < 5; i++) {
            assertThat(post(from, "/api/v1/auth/login", "{\"userId\":\"" + user + "\",\"password\":\"x1x1x1x1\","
                    + "\"deviceType\":\"toaster\"}").status()).isEqualTo(400);
        }
        assertThat(login(from, user, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void registrationsAreLimitedPerAddress() {
        String from = newAddress();
        for (int i = 0; i < 3; i++) {
            assertThat(register(from, "r" + UUID.randomUUID().toString().substring(0, 8)).status()).isEqualTo(201);
        }
        String late = "r" + UUID.randomUUID().toString().substring(0, 8);
        assertThrottled(register(from, late), LoginThrottle.REGISTRATION_THROTTLED);
        assertThat(register(newAddress(), late).status()).isEqualTo(201);
    }
}
