package io.mqchat.api.devices;

import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.stereotype.Component;

/** Sends requests to the broker nodes (which hold the MQTT connections) over the Redis bus. */
@Component
public class BrokerBus {

    private final RedissonClient redis;

    public BrokerBus(RedissonClient redis) {
        this.redis = redis;
    }

    public void send(BusMessage message) {
        redis.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE).publish(message.toJson());
    }
}
