package io.mqchat.broker.ingest;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.broker.cache.ExpiringCache;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Answers "may this user receive direct messages?" for recipients: a registered user, a deleted account (whose
 * id is kept so that it is never registered again) or nobody. Answers are cached: a registered user for
 * {@code positiveTtl} — the longest a deleted account still counts as a recipient on this node — a deleted one
 * for as long (deletion is for good), an unknown one briefly, so a flood to unknown users does not become a
 * flood of queries.
 */
public final class UserDirectory {

    /** What a recipient id is. */
    public enum Recipient { REGISTERED, DELETED, UNKNOWN }

    /**
     * How long a registered recipient is cached. A deletion is announced on the bus ({@link #deleted}); should
     * that notice be lost, direct messages to the deleted account may still be accepted (and stored in a
     * conversation nobody reads) for this long on a node that had it cached.
     */
    public static final Duration REGISTERED_TTL = Duration.ofSeconds(30);

    private static final int MAX_CACHED = 100_000;

    private final MongoCollection<Document> users;
    private final MongoCollection<Document> deleted;
    private final Executor executor;
    private final Duration positiveTtl;
    private final Duration negativeTtl;
    private final ExpiringCache<String, Recipient> cache = new ExpiringCache<>(MAX_CACHED);

    /**
     * @param deleted the tombstones of deleted accounts ({@link StoreSchema#DELETED_USERS}), or null: an unknown
     *                id is not told apart from a deleted one
     */
    public UserDirectory(MongoCollection<Document> users, MongoCollection<Document> deleted, Executor executor,
                         Duration positiveTtl, Duration negativeTtl) {
        this.users = users;
        this.deleted = deleted;
        this.executor = executor;
        this.positiveTtl = positiveTtl;
        this.negativeTtl = negativeTtl;
    }

    /** @param userId an id already checked with {@code Ids.isValidUserId} */
    public CompletableFuture<Recipient> find(String userId) {
        return cache.get(userId, () -> has(users, userId) ? Recipient.REGISTERED
                        : deleted != null && has(deleted, userId) ? Recipient.DELETED : Recipient.UNKNOWN,
                executor, recipient -> recipient == Recipient.UNKNOWN ? negativeTtl : positiveTtl);
    }

    /** The account was deleted (the bus says so): no longer a recipient on this node, from now on. */
    public void deleted(String userId) {
        cache.put(userId, Recipient.DELETED, positiveTtl);
    }

    private static boolean has(MongoCollection<Document> collection, String userId) {
        return collection.find(Filters.eq(StoreSchema.User.ID, userId))
                .projection(Projections.include(StoreSchema.User.ID)).first() != null;
    }
}
