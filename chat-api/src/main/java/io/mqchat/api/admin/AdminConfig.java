package io.mqchat.api.admin;

import com.mongodb.client.MongoDatabase;
import io.mqchat.api.devices.BrokerBus;
import io.mqchat.common.broadcast.Broadcasts;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationLog;
import io.mqchat.common.store.SummaryWriter;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Binds {@link AdminRateLimitProperties}; the broadcasts, written to the conversations log and sent on the bus. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AdminRateLimitProperties.class)
public class AdminConfig {

    @Bean
    Broadcasts broadcasts(MongoDatabase db, RedissonClient redis, BrokerBus bus) {
        Clock clock = Clock.systemUTC();
        SummaryWriter summaries = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock);
        return new Broadcasts(new ConversationLog(db.getCollection(StoreSchema.MESSAGES), summaries, redis, clock),
                bus::send);
    }
}
