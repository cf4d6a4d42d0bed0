package io.mqchat.broker;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mqchat.broker.store.MessageWrites;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.DevicePolicy;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.EmbeddedRedis;
import io.mqchat.embedded.FreePorts;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.bson.Document;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;

/**
 * A real embedded HiveMQ with the mqchat extension loaded, on in-memory mongo-java-server and an
 * embedded Redis, all on free ports; plus helpers to make users, tokens and Paho clients.
 */
final class BrokerFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    static final String SECRET = "test-secret-test-secret-test-secret!!";

    EmbeddedMongo mongo;
    EmbeddedRedis redis;
    EmbeddedBroker broker;
    MongoClient mongoClient;
    final AccessTokens tokens = new AccessTokens(SECRET);
    RedissonClient redisson;
    DeviceLogins logins;
    private Path home;
    private BrokerConfig config;
    private final Duration storeTimeout;
    private final Duration presenceGrace;
    private final java.util.function.UnaryOperator<BrokerConfig> adjust;
    private final java.util.function.UnaryOperator<MessageWrites> writes;
    private final List<String> users;

    BrokerFixture(Duration storeTimeout) throws Exception {
        this(storeTimeout, Duration.ofSeconds(1));
    }

    BrokerFixture(Duration storeTimeout, Duration presenceGrace) throws Exception {
        // tests that are not about abuse limits send faster than a user may; the limits have their own tests
        this(storeTimeout, presenceGrace, config -> config.withLimits(BrokerConfig.Limits.none()));
    }

    /** A broker whose configuration {@code adjust} changes (e.g. to set limits). */
    BrokerFixture(Duration storeTimeout, Duration presenceGrace,
                  java.util.function.UnaryOperator<BrokerConfig> adjust) throws Exception {
        this(storeTimeout, presenceGrace, adjust, java.util.function.UnaryOperator.identity());
    }

    /** A broker whose store writes pass through {@code writes} (to add latency or failures). */
    BrokerFixture(Duration storeTimeout, Duration presenceGrace, java.util.function.UnaryOperator<BrokerConfig> adjust,
                  java.util.function.UnaryOperator<MessageWrites> writes) throws Exception {
        this(storeTimeout, presenceGrace, adjust, writes, null);
        start();
    }

    private BrokerFixture(Duration storeTimeout, Duration presenceGrace,
                          java.util.function.UnaryOperator<BrokerConfig> adjust,
                          java.util.function.UnaryOperator<MessageWrites> writes, List<String> users) {
        this.storeTimeout = storeTimeout;
        this.presenceGrace = presenceGrace;
        this.adjust = adjust;
        this.writes = writes;
        this.users = users;
    }

    /**
     * A broker (no abuse limits, presence grace 1 s) started before a test class's tests, with these users,
     * and closed after them: for a static {@code @RegisterExtension} field.
     */
    static BrokerFixture forTestClass(Duration storeTimeout, String... users) {
        return new BrokerFixture(storeTimeout, Duration.ofSeconds(1),
                config -> config.withLimits(BrokerConfig.Limits.none()), java.util.function.UnaryOperator.identity(),
                List.of(users));
    }

    private void start() throws Exception {
        mongo = EmbeddedMongo.inMemory();
        redis = EmbeddedRedis.start(0, null);
        Config redisConfig = new Config();
        redisConfig.useSingleServer().setAddress(redis.address());
        redisson = Redisson.create(redisConfig);
        logins = new DeviceLogins(redisson, java.time.Clock.systemUTC());
        home = Files.createTempDirectory("mqchat-broker-test");
        config = adjust.apply(BrokerConfig.of(mongo.uri("mqchat"), redis.address(), SECRET)
                .withStore(storeTimeout, 256, 2).withPresence(presenceGrace, Duration.ofSeconds(1)));
        broker = startBroker();
        mongoClient = MongoClients.create(mongo.uri("mqchat"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
        for (String user : users) {
            createUser(user);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** The store's database. */
    MongoDatabase db() {
        return mongoClient.getDatabase("mqchat");
    }

    private EmbeddedBroker startBroker() {
        return EmbeddedBroker.start(home, new EmbeddedBroker.Settings("127.0.0.1", FreePorts.next(),
                FreePorts.next(), 256 * 1024, 1000, 100), new ChatExtensionMain(config, writes), true);
    }

    /** Stops the broker and starts a new one on the same data folder and stores (new ports). */
    void restartBroker() {
        broker.close();
        broker = startBroker();
    }

    MongoCollection<Document> messages() {
        return mongoClient.getDatabase("mqchat").getCollection(StoreSchema.MESSAGES);
    }

    void createUser(String userId) {
        mongoClient.getDatabase("mqchat").getCollection(StoreSchema.USERS)
                .insertOne(new Document("_id", userId).append("passwordHash", "x").append("createdAt", new Date()));
    }

    /**
     * What an admin's creation does: a service account with these scopes and limit; returns its credential (the
     * {@code jti} of its tokens).
     */
    String createService(String id, io.mqchat.common.services.ServiceScopes scopes, String rateLimit) {
        String credential = io.mqchat.common.services.ServiceSecrets.generation();
        mongoClient.getDatabase("mqchat").getCollection(StoreSchema.USERS).insertOne(
                new io.mqchat.common.services.ServiceAccount(id, id, "unused-here", credential, scopes,
                        io.mqchat.common.limits.RateLimit.parse(rateLimit), java.time.Instant.now(), "test", null)
                        .toUserDocument());
        return credential;
    }

    /** What the client-credentials grant does: a token of the account's current credential. */
    String serviceToken(String id, String credential) {
        return logins.issueService(tokens, id, credential, Duration.ofHours(1)).token();
    }

    /** An MQTT 5 connection {@code {id}:{instance}} of a service account with {@code token}. */
    MqttAsyncClient mqtt5Service(String id, String instance, String token, Inbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.tcpUri(), id + ":" + instance,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setCallback(inbox.callback5());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(id);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    /** What chat-api's create does to the store: the group and its members, the first of them its owner. */
    void createGroup(String groupId, String... members) {
        db().getCollection(StoreSchema.GROUPS).insertOne(new Document("_id", groupId).append("name", groupId)
                .append("owner", members[0]).append("memberCount", members.length).append("createdAt", new Date()));
        for (int i = 0; i < members.length; i++) {
            addMember(groupId, members[i], i == 0 ? "owner" : "member");
        }
    }

    /** One membership document, as chat-api writes it. */
    void addMember(String groupId, String user, String role) {
        db().getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document("_id", groupId + "|" + user)
                .append("groupId", groupId).append("userId", user).append("role", role)
                .append("joinedAt", new Date()).append("fromSeq", 1L));
    }

    /** An MQTT 5 client logged in as user:device, connected, subscribed to its inbox is up to the test. */
    MqttAsyncClient mqtt5(String user, String device) throws Exception {
        return mqtt5(user, device, new Inbox());
    }

    /** An MQTT 5 client whose arriving messages (on any subscription) go to {@code inbox}. */
    MqttAsyncClient mqtt5(String user, String device, Inbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.tcpUri(), user + ":" + device,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setCallback(inbox.callback5());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(login(user, device).getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    /** {@link #mqtt5(String, String, Inbox)}, subscribed to its own inbox (refused: an exception). */
    MqttAsyncClient mqtt5OnInbox(String user, String device, Inbox inbox) throws Exception {
        MqttAsyncClient client = mqtt5(user, device, inbox);
        org.eclipse.paho.mqttv5.client.IMqttToken sub =
                client.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription("chat/u/" + user, 1));
        sub.waitForCompletion(10_000);
        if (sub.getReasonCodes().length != 1 || sub.getReasonCodes()[0] != 1) {
            throw new IllegalStateException("inbox subscription of " + user + " not granted at QoS 1: "
                    + java.util.Arrays.toString(sub.getReasonCodes()));
        }
        return client;
    }

    org.eclipse.paho.client.mqttv3.MqttAsyncClient mqtt3(String user, String device) throws Exception {
        var client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(broker.tcpUri(), user + ":" + device,
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(user);
        options.setPassword(login(user, device).toCharArray());
        options.setCleanSession(true);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    /** Publishes QoS 1 and waits for the PUBACK; a refusal is read from the returned token, not thrown. */
    static org.eclipse.paho.mqttv5.client.IMqttToken publish5(MqttAsyncClient client, String topic, String payload)
            throws Exception {
        org.eclipse.paho.mqttv5.common.MqttMessage message =
                new org.eclipse.paho.mqttv5.common.MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        org.eclipse.paho.mqttv5.client.IMqttToken token = client.publish(topic, message);
        try {
            token.waitForCompletion(15_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
            // Paho reports an error PUBACK as an exception; the caller reads the PUBACK itself.
        }
        return token;
    }

    /** Subscribes and returns the SUBACK's reason code (a refusal is read from it, not thrown). */
    static int subackCode(MqttAsyncClient client, int qos, String filter) throws Exception {
        org.eclipse.paho.mqttv5.client.IMqttToken token =
                client.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription(filter, qos));
        try {
            token.waitForCompletion(10_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
            // Paho reports a refusing SUBACK as an exception; the code is read below
        }
        return ((org.eclipse.paho.mqttv5.common.packet.MqttSubAck) token.getResponse()).getReturnCodes()[0];
    }

    static int pubackCode(org.eclipse.paho.mqttv5.client.IMqttToken token) {
        return ((org.eclipse.paho.mqttv5.common.packet.MqttPubAck) token.getResponse()).getReturnCode();
    }

    static String pubackReason(org.eclipse.paho.mqttv5.client.IMqttToken token) {
        return token.getResponse().getProperties().getReasonString();
    }

    /** What chat-api's login does: a token that is now the device's current login. */
    String login(String user, String device) {
        return logins.issue(tokens, user, device, Duration.ofHours(1), DevicePolicy.perType()).token();
    }

    @Override
    public void close() throws Exception {
        redisson.shutdown();
        mongoClient.close();
        broker.close();
        redis.close();
        mongo.close();
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
