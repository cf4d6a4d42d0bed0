package io.mqchat.bench;

import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.broker.BrokerConfig;
import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.services.ServiceScopes;
import io.mqchat.common.services.ServiceSecrets;
import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.EmbeddedRedis;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.bson.Document;
import org.redisson.client.codec.StringCodec;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The mqchat stack in this process: MongoDB (mongo-java-server on an H2 file, committed before each write
 * is answered — the embedded default — or an external server), Redis (embedded or external) and embedded
 * HiveMQ with the mqchat extension. Clients log in with real access tokens.
 */
final class MqchatTarget implements Target {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final AccessTokens tokens;
    private io.mqchat.common.redis.DeviceLogins logins;
    private final MongoCollection<Document> messages;
    private final MongoDatabase db;
    private final MongoCollection<Document> users;
    private final EmbeddedBroker broker;
    private SimpleMeterRegistry meters;
    private org.redisson.api.RedissonClient redisson;
    private String mongoUri;
    private String redisAddress;
    private String jwtSecret;

    private MqchatTarget(AccessTokens tokens, MongoDatabase db, EmbeddedBroker broker) {
        this.tokens = tokens;
        this.db = db;
        this.messages = db.getCollection(StoreSchema.MESSAGES);
        this.users = db.getCollection(StoreSchema.USERS);
        this.broker = broker;
    }

    static MqchatTarget start(BenchSettings s, Path workDir) {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        // The extension records its timers in Micrometer's global registry; collect them for the report.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        meters.config().meterFilter(WHOLE_RUN_PERCENTILES);
        Metrics.addRegistry(meters);
        started.push(() -> {
            Metrics.removeRegistry(meters);
            meters.close();
        });
        try {
            String mongoUri = s.mongoUri();
            if (mongoUri == null) {
                EmbeddedMongo mongo = EmbeddedMongo.onFile(workDir.resolve("mongo").resolve("mqchat.mv"), 0);
                started.push(mongo);
                mongoUri = mongo.uri("mqchat");
            }
            String redisAddress = s.redisAddress();
            if (redisAddress == null) {
                EmbeddedRedis redis = EmbeddedRedis.start(0, workDir.resolve("redis"));
                started.push(redis);
                redisAddress = redis.address();
            }
            byte[] secretBytes = new byte[36];
            new SecureRandom().nextBytes(secretBytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            BrokerConfig config = BrokerConfig.of(mongoUri, redisAddress, secret)
                    .withStore(s.storeTimeout(), s.storeBatchSize(), s.storeWriters())
                    // benchmarks measure throughput, so the per-user rate limit is off unless MQCHAT_RATELIMIT_PUBLISH
                    // sets one (to measure what the limiter costs; BENCHMARKS.md says which runs had it)
                    .withLimits(benchLimits());
            ChatExtensionMain extension = new ChatExtensionMain(config);
            EmbeddedBroker broker = EmbeddedBroker.start(workDir.resolve("hivemq-mqchat"),
                    PlainTarget.brokerSettings(s), extension, true);
            started.push(broker);
            if (!extension.isRunning()) {
                throw new IllegalStateException("the mqchat extension did not start: "
                        + extension.startFailure().orElse("unknown reason"));
            }
            MongoClient client = MongoClients.create(mongoUri);
            started.push(client);
            com.mongodb.ConnectionString cs = new com.mongodb.ConnectionString(mongoUri);
            MongoDatabase db = client.getDatabase(cs.getDatabase() == null ? "mqchat" : cs.getDatabase());
            org.redisson.config.Config redisConfig = new org.redisson.config.Config();
            redisConfig.useSingleServer().setAddress(redisAddress);
            org.redisson.api.RedissonClient redisson = org.redisson.Redisson.create(redisConfig);
            started.push(redisson::shutdown);
            MqchatTarget target = new MqchatTarget(new AccessTokens(secret), db, broker);
            target.redisson = redisson;
            target.mongoUri = mongoUri;
            target.redisAddress = redisAddress;
            target.jwtSecret = secret;
            // what chat-api's login does: each token becomes its device's current login
            target.logins = new io.mqchat.common.redis.DeviceLogins(redisson, java.time.Clock.systemUTC());
            target.started.addAll(started);
            target.meters = meters;
            return target;
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    @Override
    public String name() {
        return "mqchat";
    }

    /** The stores and the secret another broker node needs to join this one. */
    String mongoUri() {
        return mongoUri;
    }

    /** The database the broker stores in. */
    MongoDatabase database() {
        return db;
    }

    String redisAddress() {
        return redisAddress;
    }

    /** The bench's own Redis client (not the broker's). */
    org.redisson.api.RedissonClient redisson() {
        return redisson;
    }

    String jwtSecret() {
        return jwtSecret;
    }

    /** A counter of the extension in this process (e.g. {@code mqchat.bus.forwarded}), 0 when not registered yet. */
    long counter(String name) {
        io.micrometer.core.instrument.Counter c = meters.find(name).counter();
        return c == null ? 0 : Math.round(c.count());
    }

    @Override
    public boolean enveloped() {
        return true;
    }

    @Override
    public String uri() {
        return broker.tcpUri();
    }

    @Override
    public BenchClient.Credentials credentials(String user, String device) {
        return new BenchClient.Credentials(user, logins.issue(tokens, user, device, Duration.ofHours(2),
                io.mqchat.common.auth.DevicePolicy.perType()).token());
    }

    /** The user becomes a service account with direct messages to anyone and a limit the load stays under. */
    @Override
    public BenchClient.Connector asService() {
        return new BenchClient.Connector() {
            @Override
            public String uri() {
                return MqchatTarget.this.uri();
            }

            @Override
            public BenchClient.Credentials credentials(String user, String instance) {
                String credential = ServiceSecrets.generation();
                users.replaceOne(Filters.eq(StoreSchema.User.ID, user), new ServiceAccount(user,
                        user, "bench-no-secret", credential, new ServiceScopes(
                        ServiceScopes.Direct.ANY, List.of(),
                        ServiceScopes.Groups.MEMBER, List.of(), false),
                        RateLimit.parse("100000/s,burst=1000000"), java.time.Instant.now(),
                        "bench", null).toUserDocument());
                return new BenchClient.Credentials(user, logins.issueService(tokens, user, credential,
                        Duration.ofHours(2)).token());
            }
        };
    }

    @Override
    public void createUsers(List<String> userIds) {
        List<Document> docs = new ArrayList<>(userIds.size());
        Date now = new Date();
        for (String id : userIds) {
            docs.add(new Document(StoreSchema.User.ID, id).append(StoreSchema.User.PASSWORD_HASH, "bench-no-login")
                    .append(StoreSchema.User.CREATED_AT, now));
        }
        users.insertMany(docs);
    }

    @Override
    public long storedCount(String conv) {
        return messages.countDocuments(Filters.eq(StoreSchema.Message.CONV, conv));
    }

    /** What chat-api does when a group is created and its members added: one group, one document per member. */
    @Override
    public void createGroup(String groupId, List<String> memberIds) {
        Date now = new Date();
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document(StoreSchema.Group.ID, groupId)
                .append(StoreSchema.Group.NAME, "bench " + groupId).append(StoreSchema.Group.OWNER, memberIds.get(0))
                .append(StoreSchema.Group.MEMBER_COUNT, memberIds.size()).append(StoreSchema.Group.CREATED_AT, now));
        List<Document> docs = new ArrayList<>(memberIds.size());
        for (String user : memberIds) {
            docs.add(new Document(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, user))
                    .append(StoreSchema.GroupMember.GROUP_ID, groupId).append(StoreSchema.GroupMember.USER_ID, user)
                    .append(StoreSchema.GroupMember.ROLE, (docs.isEmpty() ? GroupRole.OWNER : GroupRole.MEMBER).wire())
                    .append(StoreSchema.GroupMember.JOINED_AT, now).append(StoreSchema.GroupMember.FROM_SEQ, 1L));
        }
        db.getCollection(StoreSchema.GROUP_MEMBERS).insertMany(docs);
    }

    @Override
    public boolean subscribesGroupMembers() {
        return true;
    }

    @Override
    public long storedFrom(Collection<String> senders) {
        return messages.countDocuments(Filters.in(StoreSchema.Message.FROM, senders));
    }

    /** Read from the embedded broker's subscription store, as the extension sees it. */
    @Override
    public Optional<String> subscriptionsOf(String clientId) {
        try {
            return Optional.of(Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS)
                    .stream().map(TopicSubscription::getTopicFilter).sorted().toList().toString());
        } catch (Exception e) {
            return Optional.of("unknown: " + e);
        }
    }

    /** What chat-api sends when membership changes: a bus message with nobody to (un)subscribe and no event. */
    @Override
    public void groupChanged(String groupId) {
        redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .publish(BusMessage.group(groupId, List.of(), List.of(), null).toJson());
    }

    /** The extension's own timings (all phases): where a publish's time goes inside the broker. */
    @Override
    public List<String> internals() {
        List<String> lines = new ArrayList<>();
        Timer accept = meters.find("mqchat.publish.accept").timer();
        Timer write = meters.find("mqchat.store.write").timer();
        DistributionSummary batch = meters.find("mqchat.store.batch.size").summary();
        if (accept != null) {
            lines.add("publish received → stored (PUBACK wait): " + timer(accept));
        }
        if (write != null) {
            lines.add("insertMany round trip: " + timer(write));
        }
        if (batch != null && batch.count() > 0) {
            lines.add(String.format(Locale.ROOT, "batch size: %d batches, mean %.1f, max %.0f messages",
                    batch.count(), batch.mean(), batch.max()));
        }
        for (String cache : List.of("hit", "miss")) {
            Timer check = meters.find(GROUP_CHECK).tag("cache", cache).timer();
            if (check != null && check.count() > 0) {
                lines.add("group membership check, cache " + cache + ": " + timer(check));
            }
        }
        return lines;
    }

    /** The extension's timer of a publish's membership check, tagged {@code cache} = {@code hit} or {@code miss}. */
    static final String GROUP_CHECK = "mqchat.group.check";

    /**
     * The report's percentiles cover the whole run: the extension's timers get p50 and p99 if they publish
     * none, and their statistics do not decay (Micrometer's default window is two minutes). The same for its
     * distribution summaries: a batch-size maximum older than two minutes read as 0 otherwise.
     */
    static final MeterFilter WHOLE_RUN_PERCENTILES = new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!id.getName().startsWith("mqchat.")
                    || (id.getType() != Meter.Type.TIMER && id.getType() != Meter.Type.DISTRIBUTION_SUMMARY)) {
                return config;
            }
            DistributionStatisticConfig.Builder wholeRun = DistributionStatisticConfig.builder()
                    .expiry(Duration.ofDays(1)).bufferLength(1);
            if (config.getPercentiles() == null || config.getPercentiles().length == 0) {
                wholeRun.percentiles(0.5, 0.99);
            }
            return wholeRun.build().merge(config);
        }
    };

    /** Count, mean, percentiles and max; in µs when even the max is under a millisecond. */
    private static String timer(Timer t) {
        HistogramSnapshot snap = t.takeSnapshot();
        boolean micros = snap.max(TimeUnit.MILLISECONDS) < 1;
        TimeUnit unit = micros ? TimeUnit.MICROSECONDS : TimeUnit.MILLISECONDS;
        String u = micros ? " µs" : " ms";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%d, mean %.2f%s", snap.count(),
                snap.mean(unit), u));
        for (ValueAtPercentile v : snap.percentileValues()) {
            b.append(String.format(Locale.ROOT, ", p%.0f %.2f%s", v.percentile() * 100, v.value(unit), u));
        }
        b.append(String.format(Locale.ROOT, ", max %.2f%s", snap.max(unit), u));
        return b.toString();
    }

    @Override
    public void close() {
        closeAll(started);
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                System.err.println("bench: error while stopping " + next.getClass().getSimpleName() + ": " + e);
            }
        }
    }

    private static BrokerConfig.Limits benchLimits() {
        String publish = System.getenv("MQCHAT_RATELIMIT_PUBLISH");
        BrokerConfig.Limits none = BrokerConfig.Limits.none();
        return publish == null || publish.isBlank() ? none
                : new BrokerConfig.Limits(RateLimit.parse(publish), none.connect(),
                none.qos0Pending(), none.inflightPerConnection(), none.inflightBytes());
    }
}
