package io.mqchat.api.groups;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.GroupEventLog;
import io.mqchat.common.store.SummaryWriter;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Binds {@link GroupsProperties} and {@link GroupRateLimitProperties}; the membership reader and the event log
 * that group changes are written to.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GroupsProperties.class, GroupRateLimitProperties.class})
public class GroupsConfig {

    /** How memberships are read, the same as the broker and history-service read them. */
    @Bean
    GroupDirectory groupDirectory(MongoDatabase db) {
        return new GroupDirectory(db.getCollection(StoreSchema.GROUPS), db.getCollection(StoreSchema.GROUP_MEMBERS));
    }

    @Bean
    GroupEventLog groupEventLog(MongoDatabase db, RedissonClient redis) {
        Clock clock = Clock.systemUTC();
        return new GroupEventLog(db.getCollection(StoreSchema.MESSAGES),
                new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock), redis, clock);
    }
}
