package io.mqchat.history.users;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;
import org.springframework.stereotype.Repository;

/** Read-only view of the {@code users} collection (owned by chat-api). */
@Repository
public class RegisteredUsers {

    private final MongoCollection<Document> users;

    public RegisteredUsers(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
    }

    public boolean exists(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
        return users.find(Filters.eq(StoreSchema.User.ID, userId))
                .projection(Projections.include(StoreSchema.User.ID)).first() != null;
    }
}
