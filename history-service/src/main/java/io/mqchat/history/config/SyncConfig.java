package io.mqchat.history.config;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.common.sync.SyncEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Conversation summaries, group membership, sync, recall and the history policy: the shared implementations
 * from chat-common.
 */
@Configuration(proxyBeanMethods = false)
public class SyncConfig {

    @Bean
    ConversationSummaries conversationSummaries(MongoDatabase db) {
        return new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS),
                db.getCollection(StoreSchema.MESSAGES), Clock.systemUTC());
    }

    /** Who is in which group (read-only; chat-api writes memberships). */
    @Bean
    GroupDirectory groupDirectory(MongoDatabase db) {
        return new GroupDirectory(db.getCollection(StoreSchema.GROUPS), db.getCollection(StoreSchema.GROUP_MEMBERS));
    }

    @Bean
    HistoryPolicy historyPolicy(HistoryProperties properties) {
        return properties.parsedHistoryPolicy();
    }

    @Bean
    MessageRecall messageRecall(MongoDatabase db, GroupDirectory groups, HistoryProperties properties) {
        return new MessageRecall(db.getCollection(StoreSchema.MESSAGES), db.getCollection(StoreSchema.CONVERSATIONS),
                groups, properties.recall().window(), Clock.systemUTC());
    }

    @Bean
    SyncEngine syncEngine(MongoDatabase db, ConversationSummaries summaries, GroupDirectory groups,
                          HistoryProperties properties) {
        // with the directory: the user's groups from each one's fromSeq on; groups left are dropped
        return new SyncEngine(db.getCollection(StoreSchema.MESSAGES), summaries, groups, properties.sync().holeGrace(),
                Clock.systemUTC());
    }
}
