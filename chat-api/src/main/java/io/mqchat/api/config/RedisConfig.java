package io.mqchat.api.config;

import io.mqchat.common.auth.DevicePolicy;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.redis.AccountBans;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.PresenceStore;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Redis (device logins, presence, the bus to the broker nodes), built from {@code mqchat.redis.address}
 * (credentials set apart from the address, so that Redisson's messages do not carry the password). */
@Configuration(proxyBeanMethods = false)
public class RedisConfig {

    @Bean(destroyMethod = "shutdown")
    RedissonClient redissonClient(ChatApiProperties properties) {
        Config config = new Config();
        properties.redis().parsed().applyTo(config.useSingleServer())
                .setTimeout(3_000).setRetryAttempts(1).setConnectionMinimumIdleSize(1).setConnectionPoolSize(8);
        return Redisson.create(config);
    }

    @Bean
    DeviceLogins deviceLogins(RedissonClient redis) {
        return new DeviceLogins(redis, Clock.systemUTC());
    }

    /** Token buckets shared by every chat-api instance (login failures, registrations, group changes). */
    @Bean
    RateLimiter rateLimiter(RedissonClient redis) {
        return new RateLimiter(redis);
    }

    /** The copy of the bans the broker reads at CONNECT (the user documents hold the record). */
    @Bean
    AccountBans accountBans(RedissonClient redis) {
        return new AccountBans(redis, Clock.systemUTC());
    }

    @Bean
    PresenceStore presenceStore(RedissonClient redis) {
        return new PresenceStore(redis);
    }

    @Bean
    DevicePolicy devicePolicy(ChatApiProperties properties) {
        return DevicePolicy.parse(properties.devicePolicy());
    }
}
