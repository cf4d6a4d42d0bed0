package io.mqchat.broker;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.EmbeddedRedis;
import io.mqchat.embedded.FreePorts;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Date;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The packaged extension (the folder the zip unpacks to: hivemq-extension.xml, the shaded jar, conf/) loaded
 * the way a stock HiveMQ loads it — from the extensions folder, in its own class loader — rather than
 * in-process. Runs in "verify", after "package" has built the folder.
 */
class ExtensionZipIT {

    private static final String SECRET = "zip-test-secret-zip-test-secret-!!";

    @TempDir
    Path home;

    private static io.mqchat.common.redis.DeviceLogins logins;

    @Test
    void theBuiltExtensionFolderLoadsIntoHiveMQAndServesChat() throws Exception {
        Path built = Path.of(System.getProperty("mqchat.extension.dir",
                "target/mqchat-extension-0.1.0-SNAPSHOT/mqchat-extension"));
        assertThat(built.resolve("hivemq-extension.xml")).exists();
        assertThat(Files.readString(built.resolve("hivemq-extension.xml"))).doesNotContain("${project.version}");

        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory(); EmbeddedRedis redis = EmbeddedRedis.start(0, null);
             MongoClient mongoClient = MongoClients.create(mongo.uri("mqchat"))) {
            Path installed = home.resolve("extensions").resolve("mqchat-extension");
            copy(built, installed);
            Files.writeString(installed.resolve("conf").resolve("config.properties"),
                    "mongo.uri=" + mongo.uri("mqchat") + "\nredis.address=" + redis.address() + "\njwt.secret=" + SECRET
                            + "\n", StandardCharsets.UTF_8);
            for (String user : new String[]{"alice", "bob"}) {
                mongoClient.getDatabase("mqchat").getCollection(StoreSchema.USERS)
                        .insertOne(new Document("_id", user).append("createdAt", new Date()));
            }
            try (EmbeddedBroker broker = EmbeddedBroker.start(home, new EmbeddedBroker.Settings("127.0.0.1",
                    FreePorts.next(), FreePorts.next(), 256 * 1024, 1000, 100), null, true)) {
                AccessTokens tokens = new AccessTokens(SECRET);
                org.redisson.config.Config redisConfig = new org.redisson.config.Config();
                redisConfig.useSingleServer().setAddress(redis.address());
                org.redisson.api.RedissonClient redisson = org.redisson.Redisson.create(redisConfig);
                logins = new io.mqchat.common.redis.DeviceLogins(redisson, java.time.Clock.systemUTC());
                // the zip's authenticator is active: no anonymous access
                MqttAsyncClient anonymous = new MqttAsyncClient(broker.tcpUri(), "alice:phone", new MemoryPersistence());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThatThrownBy(() -> anonymous.connect(new MqttConnectionOptions()).waitForCompletion(5_000))
                                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87)));
                anonymous.close(true);

                Inbox bobInbox = new Inbox();
                MqttAsyncClient bob = connect(broker, tokens, "bob", bobInbox);
                bob.subscribe(new MqttSubscription("chat/u/bob", 1)).waitForCompletion(10_000);
                MqttAsyncClient alice = connect(broker, tokens, "alice", new Inbox());
                MqttMessage message = new MqttMessage("{\"cid\":\"zip-1\",\"body\":\"from the zip\"}"
                        .getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                alice.publish("chat/u/bob", message).waitForCompletion(10_000);
                await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().size() == 1);
                assertThat(bobInbox.chat().get(0).get("seq").asLong()).isEqualTo(1);
                assertThat(bobInbox.chat().get(0).get("from").asText()).isEqualTo("alice");
                alice.disconnect().waitForCompletion();
                bob.disconnect().waitForCompletion();
                redisson.shutdown();
            }
        }
    }

    private static MqttAsyncClient connect(EmbeddedBroker broker, AccessTokens tokens, String user, Inbox inbox)
            throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.tcpUri(), user + ":phone", new MemoryPersistence());
        client.setCallback(inbox.callback5());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(logins.issue(tokens, user, "phone", Duration.ofMinutes(5),
                io.mqchat.common.auth.DevicePolicy.perType()).token().getBytes(StandardCharsets.UTF_8));
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
