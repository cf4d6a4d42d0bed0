package io.mqchat.broker.ingest;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Answers "does this user exist?" for recipients. Positive answers are cached (accounts are not deleted
 * yet), negative ones briefly, so a flood to unknown users does not become a flood of queries.
 */
public final class UserDirectory {

    private static final int MAX_CACHED = 100_000;

    private final MongoCollection<Document> users;
    private final Executor executor;
    private final long positiveTtlNanos;
    private final long negativeTtlNanos;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(boolean exists, long expiresAtNanos) {
    }

    public UserDirectory(MongoCollection<Document> users, Executor executor, Duration positiveTtl, Duration negativeTtl) {
        this.users = users;
        this.executor = executor;
        this.positiveTtlNanos = positiveTtl.toNanos();
        this.negativeTtlNanos = negativeTtl.toNanos();
    }

    /** @param userId an id already checked with {@code Ids.isValidUserId} */
    public CompletableFuture<Boolean> exists(String userId) {
        Entry cached = cache.get(userId);
        long now = System.nanoTime();
        if (cached != null && cached.expiresAtNanos() - now > 0) {
            return CompletableFuture.completedFuture(cached.exists());
        }
        return CompletableFuture.supplyAsync(() -> {
            boolean exists = users.find(Filters.eq(StoreSchema.User.ID, userId))
                    .projection(Projections.include(StoreSchema.User.ID)).first() != null;
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // crude bound; a real LRU arrives with account deletion
            }
            cache.put(userId, new Entry(exists, System.nanoTime() + (exists ? positiveTtlNanos : negativeTtlNanos)));
            return exists;
        }, executor);
    }
}
