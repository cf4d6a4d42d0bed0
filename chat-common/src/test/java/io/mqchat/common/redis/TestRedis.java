package io.mqchat.common.redis;

import io.mqchat.embedded.EmbeddedRedis;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** A real Redis on a free port and a Redisson client for it, for the tests of one class (shared as a test-jar). */
public final class TestRedis implements AutoCloseable {

    private final EmbeddedRedis redis;
    private final RedissonClient redisson;

    private TestRedis(EmbeddedRedis redis, RedissonClient redisson) {
        this.redis = redis;
        this.redisson = redisson;
    }

    public static TestRedis start() {
        EmbeddedRedis redis = EmbeddedRedis.start(0, null);
        Config config = new Config();
        config.useSingleServer().setAddress(redis.address());
        return new TestRedis(redis, Redisson.create(config));
    }

    public RedissonClient redisson() {
        return redisson;
    }

    @Override
    public void close() {
        redisson.shutdown();
        redis.close();
    }
}
