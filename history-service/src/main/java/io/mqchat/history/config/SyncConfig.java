package io.mqchat.history.config;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.StoreSchema;
import io.mqchat.common.sync.SyncEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Conversation summaries and sync: the shared implementations from chat-common. */
@Configuration(proxyBeanMethods = false)
public class SyncConfig {

    @Bean
    ConversationSummaries conversationSummaries(MongoDatabase db) {
        return new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS),
                db.getCollection(StoreSchema.MESSAGES), Clock.systemUTC());
    }

    @Bean
    SyncEngine syncEngine(MongoDatabase db, ConversationSummaries summaries, HistoryProperties properties) {
        return new SyncEngine(db.getCollection(StoreSchema.MESSAGES), summaries, properties.sync().holeGrace(),
                Clock.systemUTC());
    }
}
