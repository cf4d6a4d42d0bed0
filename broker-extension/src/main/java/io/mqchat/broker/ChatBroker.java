package io.mqchat.broker;

import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.client.parameter.InitializerInput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.intializer.ClientInitializer;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.broker.cluster.NodeBus;
import io.mqchat.broker.cluster.PeerForwarder;
import io.mqchat.broker.delivery.Forwarding;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.groups.GroupMembership;
import io.mqchat.broker.groups.GroupSubscriptions;
import io.mqchat.broker.ingest.ChatPublishInterceptor;
import io.mqchat.broker.ingest.DirectMessageConsent;
import io.mqchat.broker.ingest.MessageAcceptor;
import io.mqchat.broker.ingest.PublishPipeline;
import io.mqchat.broker.ingest.PublishRate;
import io.mqchat.broker.ingest.SequenceQueue;
import io.mqchat.broker.ingest.UserDirectory;
import io.mqchat.broker.presence.Presence;
import io.mqchat.broker.presence.PresenceRevocation;
import io.mqchat.broker.presence.PresenceVisibility;
import io.mqchat.broker.requests.DeviceRequests;
import io.mqchat.broker.services.ServiceAccounts;
import io.mqchat.broker.session.ConnectedDevices;
import io.mqchat.broker.session.ConnectionLifecycle;
import io.mqchat.broker.session.ConnectionLogin;
import io.mqchat.broker.session.PubrecGuard;
import io.mqchat.broker.session.RetainedCleanup;
import io.mqchat.broker.session.SubscribeReasons;
import io.mqchat.broker.session.TokenAuthenticator;
import io.mqchat.broker.session.TopicAuthorizer;
import io.mqchat.broker.store.MessageStore;
import io.mqchat.broker.store.MessageWrites;
import io.mqchat.broker.store.StoreHealth;
import io.mqchat.broker.webhooks.MessageWebhooks;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.contacts.Relations;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.presence.PresenceAudience;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.MessageParser;
import io.mqchat.common.redis.AccountBans;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import io.mqchat.common.webhooks.WebhookEndpoints;
import io.mqchat.common.webhooks.WebhookOutbox;
import org.bson.Document;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Everything the extension runs, built in one place in dependency order: the stores' clients, the publish
 * path, delivery, presence, the bus between nodes, and the SDK roles HiveMQ calls. What was opened is closed in
 * reverse order, on stop and when building fails half-way (the extension then does not start).
 */
public final class ChatBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChatBroker.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final TokenAuthenticator authenticator;
    private final TopicAuthorizer authorizer;
    private final ConnectionLifecycle lifecycle;
    private final ClientInitializer initializer;

    /**
     * Builds and starts everything; on failure closes what it opened and throws.
     *
     * @param writes wraps the store's writes (tests inject latency and failures there)
     */
    static ChatBroker start(BrokerConfig config, MeterRegistry metrics, UnaryOperator<MessageWrites> writes) {
        return new ChatBroker(config, metrics, writes);
    }

    private ChatBroker(BrokerConfig config, MeterRegistry metrics, UnaryOperator<MessageWrites> writes) {
        try {
            Clock clock = Clock.systemUTC();
            ConnectionString uri = new ConnectionString(config.mongoUri());
            MongoClient mongo = open(MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(uri)
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(
                            config.storeTimeout().toMillis(), TimeUnit.MILLISECONDS))
                    .applyToSocketSettings(b -> b.connectTimeout(
                            (int) Math.min(config.storeTimeout().toMillis(), 10_000), TimeUnit.MILLISECONDS))
                    .build()));
            MongoDatabase db = mongo.getDatabase(uri.getDatabase() == null ? "mqchat" : uri.getDatabase());
            StoreSchema.ensureIndexes(db); // fails fast when MongoDB is unreachable
            Config redisConfig = new Config();
            config.redis().applyTo(redisConfig.useSingleServer())
                    .setTimeout((int) Math.min(config.storeTimeout().toMillis(), 3_000))
                    .setRetryAttempts(1)
                    .setConnectionMinimumIdleSize(2)
                    .setConnectionPoolSize(16);
            RedissonClient redis = Redisson.create(redisConfig);
            opened.push(redis::shutdown);
            ExecutorService lookups = daemonPool(4, "mqchat-lookup");
            opened.push(lookups::shutdownNow);
            ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "mqchat-publish-timers"));
            timers.setRemoveOnCancelPolicy(true); // most timers (a held PUBACK's watchdog) are cancelled early
            opened.push(timers::shutdownNow);

            // the publish path
            MessageStore store = open(new MessageStore(db.getCollection(StoreSchema.MESSAGES),
                    db.getCollection(StoreSchema.CONVERSATIONS), config.storeBatchSize(), config.storeWriters(), lookups,
                    metrics));
            StoreHealth health = new StoreHealth(() -> {
                db.runCommand(new Document("ping", 1));
                redis.getBucket("mqchat:probe").isExists();
            }, timers, Duration.ofMillis(250), metrics);
            SequenceQueue sequences = open(new SequenceQueue(new SequenceAllocator(redis, store::maxSeq),
                    config.retryWindow(), config.storeTimeout(), clock, health, metrics));
            GroupDirectory groupDirectory = new GroupDirectory(db.getCollection(StoreSchema.GROUPS),
                    db.getCollection(StoreSchema.GROUP_MEMBERS));
            GroupMembership groups = new GroupMembership(groupDirectory, lookups, config.groupCacheTtl(), metrics);
            RateLimiter limiter = new RateLimiter(redis);
            Relations relations = new Relations(db);
            DirectMessageConsent consent = new DirectMessageConsent(relations, lookups, DirectMessageConsent.TTL);
            UserDirectory users = new UserDirectory(db.getCollection(StoreSchema.USERS),
                    db.getCollection(StoreSchema.DELETED_USERS), lookups, UserDirectory.REGISTERED_TTL, Duration.ofSeconds(5));
            MessageAcceptor acceptor = new MessageAcceptor(users, groups, sequences, writes.apply(store),
                    new PublishRate(limiter, config.limits().userPublish()),
                    new ServiceAccounts(db.getCollection(StoreSchema.USERS), lookups, ServiceAccounts.TTL), consent, clock);

            // delivery, presence and the other nodes
            ConnectedDevices connected = new ConnectedDevices();
            String nodeId = UUID.randomUUID().toString();
            PresenceStore presenceStore = new PresenceStore(redis);
            PeerForwarder peers = config.forwardToPeers() ? open(new PeerForwarder(nodeId, redis, presenceStore,
                    Services.publishService(), metrics)) : null;
            Forwarding forwarding = peers != null ? peers : Forwarding.NONE;
            ServerPublisher publisher = new ServerPublisher(Services.publishService(), forwarding);
            ConversationSummaries summaries = new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS),
                    db.getCollection(StoreSchema.MESSAGES), clock);
            PresenceVisibility presenceVisibility = new PresenceVisibility(
                    new PresenceAudience(summaries, groupDirectory, relations), lookups);
            PresenceRevocation presenceRevocation = new PresenceRevocation(presenceVisibility,
                    Services.subscriptionStore(), config.deviceTypes(), lookups, connected::serviceConnectionsOf);
            GroupSubscriptions groupSubscriptions = new GroupSubscriptions(groupDirectory, groups,
                    Services.subscriptionStore(), publisher, config.deviceTypes(), lookups, presenceRevocation,
                    connected::serviceConnectionsOf);
            NodeBus bus = open(new NodeBus(redis, Services.publishService(), Services.clientService(), connected,
                    groupSubscriptions, peers, users::deleted, (user, other) -> {
                        consent.forget(user, other);
                        presenceRevocation.relationChanged(user, other);
                    }));
            Presence presence = open(new Presence(presenceStore, Services.publishService(),
                    Services.extensionExecutorService(), lookups, nodeId, config.presenceGrace(),
                    config.presenceHeartbeat(), clock));
            presence.forwardTo(forwarding);
            // webhook events: queued here, written to the outbox in the background, delivered by chat-api
            WebhookEndpoints webhookEndpoints = open(WebhookEndpoints.watching(
                    db.getCollection(StoreSchema.WEBHOOK_ENDPOINTS), config.webhooks().refresh()));
            WebhookOutbox webhooks = open(new WebhookOutbox(db.getCollection(StoreSchema.WEBHOOK_DELIVERIES),
                    webhookEndpoints, config.webhooks().queue(), metrics, clock));
            presence.notify(webhooks);
            if (peers != null) {
                // after Presence wrote this node's heartbeat: the other nodes can tell it is alive
                peers.start(bus, Services.extensionExecutorService(), lookups, config.presenceHeartbeat());
            }
            removeForbiddenRetained();

            // the SDK roles
            this.authenticator = new TokenAuthenticator(new AccessTokens(config.jwtSecret()), config.deviceTypes(),
                    new DeviceLogins(redis, clock), connected, config.storeTimeout(), Services.extensionExecutorService(),
                    limiter, config.limits().connect(), new AccountBans(redis, clock));
            SubscribeReasons subscribeReasons = new SubscribeReasons();
            this.authorizer = new TopicAuthorizer(presenceVisibility, groups, config.storeTimeout(),
                    Services.extensionExecutorService(), subscribeReasons);
            // longer than any disconnect takes: when the hold runs out HiveMQ writes the PUBREC after all
            PubrecGuard pubrecGuard = new PubrecGuard(Services.clientService(), Duration.ofSeconds(60));
            PublishPipeline pipeline = new PublishPipeline(acceptor, publisher, Services.clientService(), health,
                    Services.extensionExecutorService(), timers, config.storeTimeout(),
                    config.limits().inflightPerConnection(), config.limits().inflightBytes(),
                    config.limits().qos0Pending(), metrics);
            pipeline.storedTo(new MessageWebhooks(webhooks, presenceStore, groups)::stored);
            this.lifecycle = new ConnectionLifecycle(connected, presence, pipeline);
            DeviceRequests requests = new DeviceRequests(
                    new SyncEngine(db.getCollection(StoreSchema.MESSAGES), summaries, groupDirectory,
                            config.storeTimeout().plus(SyncEngine.DEFAULT_MARGIN), clock),
                    new MessageRecall(db.getCollection(StoreSchema.MESSAGES), db.getCollection(StoreSchema.CONVERSATIONS),
                            groupDirectory, config.recallWindow(), clock),
                    new ContactChangeFeed(db), config.historyPolicy(), Services::publishService, lookups, SyncCursor.MAX_TEXT + 1024, publisher);
            ChatPublishInterceptor interceptor = new ChatPublishInterceptor(new MessageParser(config.maxPayloadBytes()),
                    acceptor, pipeline, publisher, requests, config.storeTimeout(), Services.extensionExecutorService(),
                    metrics);
            this.initializer = (InitializerInput input, ClientContext context) -> {
                String clientId = input.getClientInformation().getClientId();
                Optional<ClientId> device = ClientId.parse(clientId);
                if (device.isEmpty()) {
                    return; // cannot have passed authentication; without interceptors the authorizer refuses all
                }
                interceptor.attach(context);
                context.addPubrecOutboundInterceptor(pubrecGuard);
                context.addSubscribeInboundInterceptor(subscribeReasons);
                // after authentication and the session's set-up: the place to subscribe a member's groups. A service
                // account subscribes itself (chat/g/{group} or a shared $share/{name}/chat/g/{group}): its instances
                // would otherwise each get every message of its groups
                if (!ConnectionLogin.isService(input.getConnectionInformation().getConnectionAttributeStore())) {
                    groupSubscriptions.connected(device.get());
                }
            };
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    TokenAuthenticator authenticator() {
        return authenticator;
    }

    TopicAuthorizer authorizer() {
        return authorizer;
    }

    ConnectionLifecycle lifecycle() {
        return lifecycle;
    }

    /** Runs once per connection: its interceptors, and its groups' subscriptions. */
    ClientInitializer initializer() {
        return initializer;
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.push(resource);
        return resource;
    }

    /**
     * Removes retained messages where none may be, before HiveMQ opens its listeners (extensions start first),
     * so no subscriber gets one; waits a bounded time, then lets it finish in the background.
     */
    private static void removeForbiddenRetained() {
        CompletableFuture<Integer> cleanup = new RetainedCleanup(Services.retainedMessageStore(),
                Services.extensionExecutorService()).run().whenComplete((removed, error) -> {
                    if (error != null) {
                        log.warn("mqchat: could not remove retained messages from chat topics: {}", error.toString());
                    } else {
                        log.info("mqchat: removed {} retained message(s) from chat/u/, chat/g/, chat/req/, chat/res/, chat/e/",
                                removed);
                    }
                });
        try {
            cleanup.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("mqchat: retained message clean-up not finished at start; it goes on in the background");
        }
    }

    private static ExecutorService daemonPool(int threads, String name) {
        return Executors.newFixedThreadPool(threads, r -> daemon(r, name));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Closes everything opened, newest first; one failing close does not keep the others open. */
    @Override
    public void close() {
        while (!opened.isEmpty()) {
            AutoCloseable resource = opened.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("mqchat: closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
