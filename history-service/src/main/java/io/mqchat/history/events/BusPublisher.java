package io.mqchat.history.events;

import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.history.config.RedisConnection;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends events to MQTT clients through the broker nodes: a {@link BusMessage} on the Redis channel
 * {@link RedisKeys#BUS_CHANNEL}, which every node executes for its own connections. Best effort: the
 * state the event announces (e.g. a read position) is stored first and can always be fetched, so a Redis
 * outage loses only the live notification.
 */
@Component
public class BusPublisher {

    private static final Logger log = LoggerFactory.getLogger(BusPublisher.class);

    private final RedisConnection redis;

    public BusPublisher(RedisConnection redis) {
        this.redis = redis;
    }

    public void publish(BusMessage message) {
        try {
            redis.client().getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE).publish(message.toJson());
        } catch (RuntimeException e) {
            log.warn("mqchat: {} not sent (Redis unavailable): {}", message.getClass().getSimpleName(), e.toString());
        }
    }
}
