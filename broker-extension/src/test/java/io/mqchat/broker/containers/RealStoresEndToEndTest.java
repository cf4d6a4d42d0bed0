package io.mqchat.broker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mqchat.broker.BrokerConfig;
import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.broker.DirectMessagePromises;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.FreePorts;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import static io.mqchat.broker.containers.ChatClients.connect;
import static io.mqchat.broker.containers.ChatClients.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The extension in-process in embedded HiveMQ, but on a real MongoDB and a real Redis (containers)
 * instead of mongo-java-server and the embedded Redis binary: the same promises as
 * {@code DirectMessageEndToEndTest} (enriched, ordered, stored; a retried cid stored once) on the real
 * stores' semantics (unique indexes, INCR). Disabled, not failed, where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealStoresEndToEndTest {

    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer(DockerImageName.parse("mongo:7.0"));

    @Container
    static final GenericContainer<?> REDIS = new GenericContainer<>(DockerImageName.parse("redis:7"))
            .withExposedPorts(6379);

    private static Path home;
    private static EmbeddedBroker broker;
    private static MongoClient mongo;

    @BeforeAll
    static void start() throws Exception {
        String mongoUri = MONGO.getReplicaSetUrl("mqchat");
        String redisAddress = "redis://" + REDIS.getHost() + ":" + REDIS.getMappedPort(6379);
        ChatClients.useRedis(redisAddress);
        home = Files.createTempDirectory("mqchat-real-stores");
        broker = EmbeddedBroker.start(home, new EmbeddedBroker.Settings("127.0.0.1", FreePorts.next(),
                        FreePorts.next(), 256 * 1024, 1000, 100),
                new ChatExtensionMain(BrokerConfig.of(mongoUri, redisAddress, ChatClients.SECRET)), true);
        mongo = MongoClients.create(mongoUri);
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            ChatClients.createUser(mongo, user);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ChatClients.closeRedis();
        if (mongo != null) {
            mongo.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (home != null) {
            try (var files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static MongoCollection<Document> messages() {
        return mongo.getDatabase("mqchat").getCollection(StoreSchema.MESSAGES);
    }

    @Test
    void directMessagesArriveEnrichedInOrderAndAreStored() throws Exception {
        ChatClients.Inbox aliceInbox = new ChatClients.Inbox();
        ChatClients.Inbox bobInbox = new ChatClients.Inbox();
        MqttAsyncClient alice = connect(broker.tcpUri(), "alice", "phone", aliceInbox);
        MqttAsyncClient bob = connect(broker.tcpUri(), "bob", "desktop", bobInbox);

        for (int i = 1; i <= 3; i++) {
            int code = publish(alice, "chat/u/bob", DirectMessagePromises.hello(i));
            assertThat(code).as("PUBACK of message %d", i).isLessThan(0x80);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> bobInbox.chat.size() == 3);
        List<JsonNode> got = bobInbox.chat;
        DirectMessagePromises.assertHellosDelivered(got);
        // the sender's devices get the same stored messages
        await().atMost(Duration.ofSeconds(15)).until(() -> aliceInbox.chat.size() == 3);

        DirectMessagePromises.assertHellosStored(messages(), got);
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
    }

    @Test
    void aRetriedCidIsStoredOnceAndAnsweredWithTheOriginal() throws Exception {
        ChatClients.Inbox carolInbox = new ChatClients.Inbox();
        MqttAsyncClient carol = connect(broker.tcpUri(), "carol", "phone", carolInbox);
        String payload = "{\"cid\":\"retry-1\",\"body\":\"once\"}";
        assertThat(publish(carol, "chat/u/dave", payload)).isLessThan(0x80);
        assertThat(publish(carol, "chat/u/dave", payload)).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(15)).until(() -> carolInbox.chat.size() == 2);
        DirectMessagePromises.assertRetryStoredOnce(carolInbox.chat, messages(), "carol", "retry-1");
        carol.disconnect().waitForCompletion();
    }
}
