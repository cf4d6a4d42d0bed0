package io.mqchat.broker.services;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceAccount;
import org.bson.Document;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The service accounts whose connections publish here, cached for a few seconds: their scopes and rate limit are
 * read at each publish, so a change an admin makes applies within {@link #TTL}. A rotation or a disable does not
 * wait for that: it closes the connections.
 */
public final class ServiceAccounts {

    public static final Duration TTL = Duration.ofSeconds(5);
    private static final int MAX_CACHED = 10_000;

    private final MongoCollection<Document> users;
    private final Executor lookups;
    private final long ttlNanos;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(Optional<ServiceAccount> account, long expiresAtNanos) {
    }

    public ServiceAccounts(MongoCollection<Document> users, Executor lookups, Duration ttl) {
        this.users = users;
        this.lookups = lookups;
        this.ttlNanos = ttl.toNanos();
    }

    /** The account (empty when there is none of that id); complete at once while cached. */
    public CompletableFuture<Optional<ServiceAccount>> find(String serviceId) {
        Entry cached = cache.get(serviceId);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return CompletableFuture.completedFuture(cached.account());
        }
        return CompletableFuture.supplyAsync(() -> {
            Optional<ServiceAccount> account = ServiceAccount.fromUserDocument(
                    users.find(Filters.eq(StoreSchema.User.ID, serviceId)).first());
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // crude bound; there are few service accounts
            }
            cache.put(serviceId, new Entry(account, System.nanoTime() + ttlNanos));
            return account;
        }, lookups);
    }
}
