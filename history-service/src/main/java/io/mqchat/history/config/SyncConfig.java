package io.mqchat.history.config;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.common.store.StoreSchema;
import io.mqchat.common.sync.SyncEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Conversation summaries, sync, recall and the history policy: the shared implementations from chat-common. */
@Configuration(proxyBeanMethods = false)
public class SyncConfig {

    @Bean
    ConversationSummaries conversationSummaries(MongoDatabase db) {
        return new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS),
                db.getCollection(StoreSchema.MESSAGES), Clock.systemUTC());
    }

    @Bean
    HistoryPolicy historyPolicy(HistoryProperties properties) {
        return properties.parsedHistoryPolicy();
    }

    @Bean
    MessageRecall messageRecall(MongoDatabase db, HistoryProperties properties) {
        return new MessageRecall(db.getCollection(StoreSchema.MESSAGES), db.getCollection(StoreSchema.CONVERSATIONS),
                properties.recall().window(), Clock.systemUTC());
    }

    @Bean
    SyncEngine syncEngine(MongoDatabase db, ConversationSummaries summaries, HistoryProperties properties) {
        return new SyncEngine(db.getCollection(StoreSchema.MESSAGES), summaries, properties.sync().holeGrace(),
                Clock.systemUTC());
    }
}
