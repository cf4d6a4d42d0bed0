package io.mqchat.api.groups;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.GroupEventLog;
import io.mqchat.common.store.SummaryWriter;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Binds {@link GroupsProperties} and {@link GroupRateLimitProperties}; the event log that group changes are written to. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GroupsProperties.class, GroupRateLimitProperties.class})
public class GroupsConfig {

    @Bean
    GroupEventLog groupEventLog(MongoDatabase db, RedissonClient redis) {
        Clock clock = Clock.systemUTC();
        return new GroupEventLog(db.getCollection(StoreSchema.MESSAGES),
                new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock), redis, clock);
    }
}
