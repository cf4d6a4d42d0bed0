package io.mqchat.api.users;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.UniqueInsert;
import org.bson.Document;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * The {@code users} collection. Callers pass validated user ids only; this class re-checks so that no
 * unvalidated text ever reaches a Mongo filter.
 */
@Repository
public class UserStore {

    private final MongoCollection<Document> users;
    private final MongoCollection<Document> deleted;
    private final MongoCollection<Document> conversations;

    public UserStore(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
        this.deleted = db.getCollection(StoreSchema.DELETED_USERS);
        this.conversations = db.getCollection(StoreSchema.CONVERSATIONS);
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
        if (!UniqueInsert.insertIfAbsent(users, doc)) {
            throw new UserAlreadyExistsException(user.userId());
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

    /**
     * Replaces the password hash, but only if it still is {@code expectedHash} (the one the caller checked the
     * current password against), so that two changes at once cannot both win. False otherwise, or if there is no
     * such user.
     */
    public boolean replacePasswordHash(String userId, String expectedHash, String newHash) {
        requireValid(userId);
        return users.updateOne(Filters.and(Filters.eq(StoreSchema.User.ID, userId),
                        Filters.eq(StoreSchema.User.PASSWORD_HASH, expectedHash)),
                Updates.set(StoreSchema.User.PASSWORD_HASH, newHash)).getModifiedCount() == 1;
    }

    /**
     * Records that the id belonged to a deleted account, for good: it can never be registered again. Recording
     * it twice is harmless.
     */
    public void tombstone(String userId, Instant at) {
        requireValid(userId);
        UniqueInsert.insertIfAbsent(deleted, new Document(StoreSchema.User.ID, userId).append("deletedAt", Date.from(at)));
    }

    /** Whether the id belonged to an account that was deleted. */
    public boolean isTombstoned(String userId) {
        requireValid(userId);
        return deleted.find(Filters.eq(StoreSchema.User.ID, userId)).first() != null;
    }

    /** Removes the account document (settings and roles with it); false if there was none. */
    public boolean delete(String userId) {
        requireValid(userId);
        return users.deleteOne(Filters.eq(StoreSchema.User.ID, userId)).getDeletedCount() == 1;
    }

    /**
     * Removes a deleted account's own conversation summaries (its read positions and previews); the messages
     * and the other participants' summaries stay.
     */
    public void deleteConversationSummaries(String userId) {
        requireValid(userId);
        conversations.deleteMany(Filters.eq(StoreSchema.Conversation.USER, userId));
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
