package io.mqchat.common.redis;

import io.mqchat.embedded.EmbeddedRedis;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A real Redis on a free port and a Redisson client for it, for the tests of one class (shared as a test-jar):
 * started at once ({@link #start()}), or as a static {@code @RegisterExtension} field ({@link #forTestClass()})
 * started before the class's tests and closed after them.
 */
public final class TestRedis implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private EmbeddedRedis redis;
    private RedissonClient redisson;

    private TestRedis() {
    }

    public static TestRedis start() {
        TestRedis r = new TestRedis();
        r.open();
        return r;
    }

    /** Not started yet: register it as a static {@code @RegisterExtension} field. */
    public static TestRedis forTestClass() {
        return new TestRedis();
    }

    private void open() {
        redis = EmbeddedRedis.start(0, null);
        Config config = new Config();
        config.useSingleServer().setAddress(redis.address());
        redisson = Redisson.create(config);
    }

    public RedissonClient redisson() {
        if (redisson == null) {
            throw new IllegalStateException("the test Redis is not started");
        }
        return redisson;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        redisson.shutdown();
        redis.close();
    }
}
