package io.mqchat.broker;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Who may see whose presence: yourself, the users you have a direct conversation with (at least one
 * message either way) and the members of your groups. Strangers learn nothing.
 */
public final class PresenceVisibility {

    private final MongoCollection<Document> messages;
    private final GroupDirectory groups;
    private final Executor executor;
    private final Set<String> allowed = ConcurrentHashMap.newKeySet();

    public PresenceVisibility(MongoCollection<Document> messages, GroupDirectory groups, Executor executor) {
        this.messages = messages;
        this.groups = groups;
        this.executor = executor;
    }


    /** @param viewer and subject are valid user ids */
    public CompletableFuture<Boolean> maySee(String viewer, String subject) {
        if (viewer.equals(subject)) {
            return CompletableFuture.completedFuture(true);
        }
        String conv = ConversationId.direct(viewer, subject).toString();
        if (allowed.contains(conv)) {
            return CompletableFuture.completedFuture(true);
        }
        return CompletableFuture.supplyAsync(() -> {
            boolean exists = messages.find(Filters.eq(StoreSchema.Message.CONV, conv))
                    .projection(Projections.include(StoreSchema.Message.ID)).limit(1).first() != null;
            if (exists) {
                allowed.add(conv); // conversations are not deleted, so a yes stays a yes
                return true;
            }
            return groups.shareAGroup(viewer, subject); // not cached: members leave groups

        }, executor);
    }
}
