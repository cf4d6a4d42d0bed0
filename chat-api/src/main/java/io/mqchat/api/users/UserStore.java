package io.mqchat.api.users;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;
import org.springframework.stereotype.Repository;

import java.util.Date;
import java.util.Optional;

/**
 * The {@code users} collection. Callers pass validated user ids only; this class re-checks so that no
 * unvalidated text ever reaches a Mongo filter.
 */
@Repository
public class UserStore {

    private final MongoCollection<Document> users;

    public UserStore(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
    }

    /**
     * Inserts a new user. Uniqueness rests on {@code _id}, not on a prior lookup, so two concurrent
     * registrations of one id cannot both succeed.
     *
     * @throws UserAlreadyExistsException if the id is taken
     */
    public void insert(User user) {
        requireValid(user.userId());
        Document doc = new Document(StoreSchema.User.ID, user.userId())
                .append(StoreSchema.User.PASSWORD_HASH, user.passwordHash())
                .append(StoreSchema.User.CREATED_AT, Date.from(user.createdAt()));
        try {
            users.insertOne(doc);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                throw new UserAlreadyExistsException(user.userId());
            }
            throw e;
        }
    }

    public Optional<User> find(String userId) {
        requireValid(userId);
        Document doc = users.find(Filters.eq(StoreSchema.User.ID, userId)).first();
        if (doc == null) {
            return Optional.empty();
        }
        Date created = doc.getDate(StoreSchema.User.CREATED_AT);
        return Optional.of(new User(doc.getString(StoreSchema.User.ID), doc.getString(StoreSchema.User.PASSWORD_HASH),
                created == null ? null : created.toInstant()));
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
