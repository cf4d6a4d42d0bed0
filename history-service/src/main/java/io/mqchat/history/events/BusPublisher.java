package io.mqchat.history.events;

import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.history.config.HistoryProperties;
import jakarta.annotation.PreDestroy;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends events to MQTT clients through the broker nodes: a {@link BusMessage} on the Redis channel
 * {@link RedisKeys#BUS_CHANNEL}, which every node executes for its own connections. Best effort: the
 * state the event announces (e.g. a read position) is stored first and can always be fetched, so a Redis
 * outage loses only the live notification. The Redis connection is made on first use, so the service
 * serves history while Redis is down.
 */
@Component
public class BusPublisher {

    private static final Logger log = LoggerFactory.getLogger(BusPublisher.class);

    private final String address;
    private RedissonClient redis;
    private boolean closed;

    public BusPublisher(HistoryProperties properties) {
        this.address = properties.redis().address();
    }

    public void publish(BusMessage message) {
        try {
            client().getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE).publish(message.toJson());
        } catch (RuntimeException e) {
            log.warn("mqchat: event to {} not sent (Redis unavailable): {}", message.topic(), e.toString());
        }
    }

    private synchronized RedissonClient client() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (redis == null) {
            Config config = new Config();
            config.useSingleServer().setAddress(address).setTimeout(3_000).setRetryAttempts(1)
                    .setConnectionMinimumIdleSize(1).setConnectionPoolSize(4);
            redis = Redisson.create(config);
        }
        return redis;
    }

    @PreDestroy
    synchronized void close() {
        closed = true;
        if (redis != null) {
            redis.shutdown();
        }
    }
}
