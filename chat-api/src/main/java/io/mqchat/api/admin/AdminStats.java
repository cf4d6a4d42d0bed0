package io.mqchat.api.admin;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.MongoHealthIndicator;
import org.bson.Document;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /api/v1/admin/online} and {@code /stats} read: the online users of every broker node from
 * Redis (the presence index, walked in chunks), counts from MongoDB (messages by {@code ts} through its index)
 * and the health of both stores.
 */
@Component
public class AdminStats {

    /** Users read from Redis per round trip (and at most in memory at once when counting). */
    static final int CHUNK = 200;
    private static final long REDIS_PING_MS = 2_000;

    private final PresenceStore presence;
    private final RedissonClient redis;
    private final MongoHealthIndicator mongoHealth;
    private final MongoCollection<Document> messages;
    private final MongoCollection<Document> users;
    private final MongoCollection<Document> groups;
    private final Clock clock = Clock.systemUTC();

    public AdminStats(PresenceStore presence, RedissonClient redis, MongoHealthIndicator mongoHealth, MongoDatabase db) {
        this.presence = presence;
        this.redis = redis;
        this.mongoHealth = mongoHealth;
        this.messages = db.getCollection(StoreSchema.MESSAGES);
        this.users = db.getCollection(StoreSchema.USERS);
        this.groups = db.getCollection(StoreSchema.GROUPS);
    }

    public List<PresenceStore.OnlineUser> online(String after, int limit) {
        return presence.onlineAfter(after, limit, Math.min(CHUNK, limit + 1));
    }

    public PresenceStore.OnlineTotals totals() {
        return presence.onlineTotals(CHUNK);
    }

    /**
     * Stored messages: all, and accepted in the last minute and hour. A message's id is an ObjectId's hex text,
     * whose first 8 digits are its creation second, so "since t" is a range on {@code _id}: the index every
     * collection has, rather than an index on {@code ts} that every message would pay for on its write.
     */
    public AdminDtos.MessageCounts messages() {
        long now = clock.millis();
        return new AdminDtos.MessageCounts(messages.estimatedDocumentCount(),
                messages.countDocuments(Filters.gte(StoreSchema.Message.ID, idsFrom(now - 60_000))),
                messages.countDocuments(Filters.gte(StoreSchema.Message.ID, idsFrom(now - 3_600_000))));
    }

    /** The smallest message id created at or after {@code epochMs} (to the second). */
    static String idsFrom(long epochMs) {
        return String.format("%08x", epochMs / 1000) + "0".repeat(16);
    }

    public long registeredUsers() {
        return users.estimatedDocumentCount();
    }

    /** Groups not dissolved. */
    public long groups() {
        return groups.countDocuments(Filters.exists(StoreSchema.Group.DISSOLVED_AT, false));
    }

    public AdminDtos.StoreHealth mongo() {
        Health h = mongoHealth.health(true);
        if (Status.UP.equals(h.getStatus())) {
            return new AdminDtos.StoreHealth("UP", null);
        }
        Object error = h.getDetails().get("error");
        return new AdminDtos.StoreHealth("DOWN", short_(error == null ? h.getStatus().getCode() : error.toString()));
    }

    /** A read of one key, with its own short deadline (Redisson's retries would take longer). */
    public AdminDtos.StoreHealth redis() {
        try {
            redis.getBucket("mqchat:health", StringCodec.INSTANCE).isExistsAsync().toCompletableFuture()
                    .get(REDIS_PING_MS, TimeUnit.MILLISECONDS);
            return new AdminDtos.StoreHealth("UP", null);
        } catch (java.util.concurrent.TimeoutException e) {
            return new AdminDtos.StoreHealth("DOWN", "no answer within " + REDIS_PING_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AdminDtos.StoreHealth("DOWN", "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new AdminDtos.StoreHealth("DOWN", short_(cause.getClass().getSimpleName() + ": " + cause.getMessage()));
        }
    }

    private static String short_(String reason) {
        return reason.length() > 200 ? reason.substring(0, 200) + "..." : reason;
    }
}
