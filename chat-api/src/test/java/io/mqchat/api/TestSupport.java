package io.mqchat.api;

import java.time.Duration;

/**
 * Test helpers: a fixed test secret and logins in an embedded Redis. The HTTP client against a running app
 * is {@link io.mqchat.web.TestHttp} (chat-web's test-jar, shared with history-service).
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
