package io.mqchat.api;

import io.mqchat.web.TestHttp;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test helpers: a fixed test secret, logins in an embedded Redis, calls as a logged-in device and the
 * problem documents they answer. The HTTP client against a running app is {@link io.mqchat.web.TestHttp}
 * (chat-web's test-jar, shared with history-service); the in-process MongoDB is {@link TestMongo}.
 */
public final class TestSupport {

    /** Test-only secret; production secrets come from MQCHAT_JWT_SECRET, never from the repo. */
    public static final String SECRET = "test-secret-test-secret-test-secret!!";

    /** One embedded Redis for the test JVM (device logins, presence, the bus). */
    private static io.mqchat.embedded.EmbeddedRedis redis;

    private static org.redisson.api.RedissonClient redisson;

    /** A token that is its device's current login, as if the user had logged in (without a password). */
    public static synchronized String loggedInToken(String user, String device) {
        if (redisson == null) {
            org.redisson.config.Config config = new org.redisson.config.Config();
            config.useSingleServer().setAddress(redisAddress());
            redisson = org.redisson.Redisson.create(config);
        }
        return new io.mqchat.common.redis.DeviceLogins(redisson, java.time.Clock.systemUTC())
                .issue(new io.mqchat.common.auth.AccessTokens(SECRET), user, device, Duration.ofHours(1),
                        io.mqchat.common.auth.DevicePolicy.perType()).token();
    }

    /**
     * A call to the app on {@code port} from {@code user}'s {@code device}, logged in ({@link #loggedInToken});
     * without a token when {@code user} is null. A body is sent as JSON.
     */
    public static TestHttp.Response callAs(int port, String device, String method, String path, String body, String user) {
        return TestHttp.send(port, method, path, body == null ? null : "application/json", body,
                user == null ? null : loggedInToken(user, device));
    }

    /** An RFC 9457 problem with the status whose detail contains {@code detailPart}. */
    public static void assertProblem(TestHttp.Response r, int status, String detailPart) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains(detailPart);
    }

    public static synchronized String redisAddress() {
        if (redis == null) {
            redis = io.mqchat.embedded.EmbeddedRedis.start(0, null);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
        }
        return redis.address();
    }

    private TestSupport() {
    }
}
