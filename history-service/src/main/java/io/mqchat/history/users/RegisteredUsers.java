package io.mqchat.history.users;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.springframework.stereotype.Repository;

/**
 * Read-only view of the {@code users} collection and of the tombstones of deleted accounts (both owned by
 * chat-api).
 */
@Repository
public class RegisteredUsers {

    private final MongoCollection<Document> users;
    private final MongoCollection<Document> deleted;

    public RegisteredUsers(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
        this.deleted = db.getCollection(StoreSchema.DELETED_USERS);
    }

    /**
     * Whether the user is registered, or was until the account was deleted: a conversation with a deleted
     * account stays readable by the other side (its messages stay, under its id).
     */
    public boolean exists(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
        return has(users, userId) || has(deleted, userId);
    }

    private static boolean has(MongoCollection<Document> collection, String userId) {
        return collection.find(Filters.eq(StoreSchema.User.ID, userId))
                .projection(Projections.include(StoreSchema.User.ID)).first() != null;
    }
}
