package io.mqchat.history.config;

import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.RedisAddress;
import jakarta.annotation.PreDestroy;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.config.Config;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * The Redis connection (device logins for the token check, the bus to the broker nodes), made on first use
 * and again after a failed attempt, so the service starts while Redis is down and recovers when it is back.
 * While Redis is unreachable calls fail with a {@link org.redisson.client.RedisException} (answered 503).
 */
@Component
public class RedisConnection {

    private final RedisAddress address;
    private RedissonClient redis;
    private DeviceLogins logins;
    private boolean closed;

    public RedisConnection(HistoryProperties properties) {
        this.address = properties.redis().parsed();
    }

    public synchronized RedissonClient client() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (redis == null) {
            Config config = new Config();
            address.applyTo(config.useSingleServer()).setTimeout(3_000).setConnectTimeout(2_000)
                    .setRetryAttempts(1).setConnectionMinimumIdleSize(1).setConnectionPoolSize(8);
            try {
                redis = Redisson.create(config);
            } catch (RedisConnectionException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new RedisConnectionException("Redis unavailable at " + address, e);
            }
        }
        return redis;
    }

    /** The device logins (a token is accepted only while it is its device's current login). */
    public synchronized DeviceLogins deviceLogins() {
        RedissonClient client = client();
        if (logins == null) {
            logins = new DeviceLogins(client, Clock.systemUTC());
        }
        return logins;
    }

    @PreDestroy
    synchronized void close() {
        closed = true;
        if (redis != null) {
            redis.shutdown();
        }
    }
}
