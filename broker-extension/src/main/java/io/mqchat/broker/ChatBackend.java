package io.mqchat.broker;

import io.mqchat.common.redis.SequenceAllocator;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.MessageParser;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.presence.PresenceAudience;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.StoreSchema;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The extension's connections (MongoDB, Redis) and the objects built on them, created in dependency
 * order and closed in reverse. Construction fails fast when a store is unreachable, which stops the
 * extension from starting rather than accepting publishes it cannot store.
 */
public final class ChatBackend implements AutoCloseable {

    private final MongoClient mongo;
    private final RedissonClient redisson;
    private final ExecutorService lookups;
    private final MessageStore store;
    final AccessTokens tokens;
    final MessageAcceptor acceptor;
    /** Token buckets in Redis shared by all nodes (publish and connect limits). */
    final RateLimiter limiter;
    final MessageParser parser;
    final DeviceLogins deviceLogins;
    final PresenceStore presenceStore;
    final PresenceVisibility presenceVisibility;
    final GroupMembership groups;
    final ExecutorService io;
    /** Timers of the publish path (overdue PUBACKs, store probes). */
    final ScheduledExecutorService timers;
    final StoreHealth health;
    final SequenceQueue sequenceQueue;

    public ChatBackend(BrokerConfig config, MeterRegistry metrics) {
        this(config, metrics, UnaryOperator.identity());
    }

    /** @param writes wraps the store's writes (tests inject latency and failures there) */
    ChatBackend(BrokerConfig config, MeterRegistry metrics, UnaryOperator<MessageWrites> writes) {
        ConnectionString uri = new ConnectionString(config.mongoUri());
        MongoClient mongoClient = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(uri)
                .applyToClusterSettings(b -> b.serverSelectionTimeout(
                        config.storeTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(
                        (int) Math.min(config.storeTimeout().toMillis(), 10_000), TimeUnit.MILLISECONDS))
                .build());
        RedissonClient redis = null;
        try {
            MongoDatabase db = mongoClient.getDatabase(uri.getDatabase() == null ? "mqchat" : uri.getDatabase());
            StoreSchema.ensureIndexes(db);
            Config redisConfig = new Config();
            config.redis().applyTo(redisConfig.useSingleServer())
                    .setTimeout((int) Math.min(config.storeTimeout().toMillis(), 3_000))
                    .setRetryAttempts(1)
                    .setConnectionMinimumIdleSize(2)
                    .setConnectionPoolSize(16);
            redis = Redisson.create(redisConfig);
            this.lookups = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "mqchat-lookup");
                t.setDaemon(true);
                return t;
            });
            this.store = new MessageStore(db.getCollection(StoreSchema.MESSAGES),
                    db.getCollection(StoreSchema.CONVERSATIONS), config.storeBatchSize(),
                    config.storeWriters(), lookups, metrics);
            UserDirectory users = new UserDirectory(db.getCollection(StoreSchema.USERS), lookups,
                    Duration.ofMinutes(10), Duration.ofSeconds(5));
            SequenceAllocator sequences = new SequenceAllocator(redis, store::maxSeq);
            this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mqchat-publish-timers");
                t.setDaemon(true);
                return t;
            });
            RedissonClient probed = redis;
            this.health = new StoreHealth(() -> {
                db.runCommand(new org.bson.Document("ping", 1));
                probed.getBucket("mqchat:probe").isExists();
            }, timers, Duration.ofMillis(250), metrics);
            this.sequenceQueue = new SequenceQueue(sequences, config.retryWindow(), config.storeTimeout(),
                    Clock.systemUTC(), health, metrics);
            GroupDirectory groupDirectory = new GroupDirectory(db.getCollection(StoreSchema.GROUPS),
                    db.getCollection(StoreSchema.GROUP_MEMBERS));
            this.groups = new GroupMembership(groupDirectory, lookups, config.groupCacheTtl(), metrics);
            this.limiter = new RateLimiter(redis);
            this.acceptor = new MessageAcceptor(users, groups, sequenceQueue, writes.apply(store),
                    new PublishRate(limiter, config.limits().userPublish()), Clock.systemUTC());
            this.tokens = new AccessTokens(config.jwtSecret());
            this.deviceLogins = new DeviceLogins(redis, Clock.systemUTC());
            this.presenceStore = new PresenceStore(redis);
            this.presenceVisibility = new PresenceVisibility(new PresenceAudience(new ConversationSummaries(
                    db.getCollection(StoreSchema.CONVERSATIONS), db.getCollection(StoreSchema.MESSAGES),
                    Clock.systemUTC()), groupDirectory), lookups);
            this.io = lookups;
            this.parser = new MessageParser(config.maxPayloadBytes());
            this.mongo = mongoClient;
            this.redisson = redis;
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.shutdown();
            }
            mongoClient.close();
            throw e;
        }
    }

    /** The request/response handlers of {@code chat/req}, over this backend's store. */
    SyncRequests syncRequests(BrokerConfig config, ServerPublisher publisher) {
        return new SyncRequests(store.syncEngine(config.storeTimeout().plus(SyncEngine.DEFAULT_MARGIN),
                groups.directory()), store.recall(config.recallWindow(), groups.directory()), config.historyPolicy(),
                com.hivemq.extension.sdk.api.services.Services::publishService, store.readers(),
                SyncCursor.MAX_TEXT + 1024, publisher);
    }

    RedissonClient redisson() {
        return redisson;
    }

    @Override
    public void close() {
        sequenceQueue.close();
        timers.shutdownNow();
        store.close();
        lookups.shutdownNow();
        redisson.shutdown();
        mongo.close();
    }
}
