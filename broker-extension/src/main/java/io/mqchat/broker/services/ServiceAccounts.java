package io.mqchat.broker.services;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.broker.cache.ExpiringCache;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceAccount;
import org.bson.Document;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
    private final Duration ttl;
    // few service accounts exist; the bound is against a flood of unknown ids
    private final ExpiringCache<String, Optional<ServiceAccount>> cache = new ExpiringCache<>(MAX_CACHED);

    public ServiceAccounts(MongoCollection<Document> users, Executor lookups, Duration ttl) {
        this.users = users;
        this.lookups = lookups;
        this.ttl = ttl;
    }

    /** The account (empty when there is none of that id); complete at once while cached. */
    public CompletableFuture<Optional<ServiceAccount>> find(String serviceId) {
        return cache.get(serviceId, () -> ServiceAccount.fromUserDocument(
                users.find(Filters.eq(StoreSchema.User.ID, serviceId)).first()), lookups, account -> ttl);
    }
}
