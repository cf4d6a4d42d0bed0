package io.mqchat.web;

import io.mqchat.common.redis.RedisAddress;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Redis connection ({@code mqchat.redis.address}), a part of each service's validated configuration record
 * (as {@link MongoProperties} is): {@code redis://host:port}, with {@code :password@} or {@code user:password@},
 * or {@code rediss://} for TLS.
 */
public record RedisProperties(@NotNull @DefaultValue("redis://localhost:6379") String address) {

    @AssertTrue(message = "must look like " + RedisAddress.FORMS + " (MQCHAT_REDIS_ADDRESS)")
    public boolean isAddressValid() {
        return address == null || RedisAddress.isValid(address);
    }

    /** The address parsed, credentials apart from the address. */
    public RedisAddress parsed() {
        return RedisAddress.parse(address);
    }

    @Override
    public String toString() {
        return "RedisProperties[address=" + RedisAddress.redact(address) + "]"; // keep the password out of logs
    }
}
