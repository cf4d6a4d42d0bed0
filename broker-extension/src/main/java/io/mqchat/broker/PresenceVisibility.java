package io.mqchat.broker;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
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
    private final MongoCollection<Document> groupMembers;
    private final Executor executor;
    private final Set<String> allowed = ConcurrentHashMap.newKeySet();

    public PresenceVisibility(MongoCollection<Document> messages, MongoCollection<Document> groupMembers,
                              Executor executor) {
        this.messages = messages;
        this.groupMembers = groupMembers;
        this.executor = executor;
    }

    private boolean shareAGroup(String viewer, String subject) {
        java.util.List<String> viewerGroups = new java.util.ArrayList<>();
        for (Document d : groupMembers.find(Filters.eq(StoreSchema.GroupMember.USER_ID, viewer))
                .projection(Projections.include(StoreSchema.GroupMember.GROUP_ID))) {
            viewerGroups.add(d.getString(StoreSchema.GroupMember.GROUP_ID));
        }
        if (viewerGroups.isEmpty()) {
            return false;
        }
        java.util.List<String> ids = viewerGroups.stream()
                .map(g -> StoreSchema.GroupMember.id(g, subject)).toList();
        return groupMembers.find(Filters.in(StoreSchema.GroupMember.ID, ids))
                .projection(Projections.include(StoreSchema.GroupMember.ID)).limit(1).first() != null;
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
            return shareAGroup(viewer, subject); // not cached: members leave groups

        }, executor);
    }
}
