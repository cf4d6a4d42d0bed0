package io.mqchat.broker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.mqchat.broker.containers.ChatClients.connect;
import static io.mqchat.broker.containers.ChatClients.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shipped artifact in the shipped broker: the unpacked extension folder built by {@code package}
 * copied into the stock {@code hivemq/hivemq-ce} image with {@code docker/hivemq/config.xml}, the allow-all
 * extension switched off ({@code HIVEMQ_ALLOW_ALL_CLIENTS=false}) and configuration only through the
 * {@code MQCHAT_*} environment, against MongoDB and Redis containers on a shared network — the
 * docker-compose.yml setup in miniature.
 *
 * <p>Why an integration test ({@code *IT}, maven-failsafe in {@code integration-test}/{@code verify}):
 * the extension folder is assembled in {@code package}, after Surefire's {@code test} phase. Running
 * here tests exactly the folder that ships (shaded jar, filtered hivemq-extension.xml, conf/), instead
 * of re-assembling an imitation of it earlier in the build. The folder's path comes from the
 * {@code mqchat.extension.dir} system property set in broker-extension's pom.
 *
 * <p>Disabled, not failed, where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class HiveMQImageEndToEndIT {

    /** The HiveMQ CE release matching the extension SDK (and the embedded HiveMQ) the build uses. */
    static final DockerImageName HIVEMQ_IMAGE = DockerImageName.parse("hivemq/hivemq-ce:2025.5");

    private static Network network;
    private static MongoDBContainer mongo;
    private static GenericContainer<?> redis;
    private static GenericContainer<?> hivemq;
    private static MongoClient mongoClient;

    @BeforeAll
    static void start() {
        Path extension = builtFolder("mqchat.extension.dir",
                "target/mqchat-extension-0.1.0-SNAPSHOT/mqchat-extension", "hivemq-extension.xml",
                "the extension folder; run 'mvn verify' (the package phase builds it)");
        Path config = builtFolder("mqchat.hivemq.config.dir", "../docker/hivemq", "config.xml",
                "docker/hivemq of the repository");

        network = Network.newNetwork();
        mongo = new MongoDBContainer(DockerImageName.parse("mongo:7.0"))
                .withNetwork(network).withNetworkAliases("mongo");
        redis = new GenericContainer<>(DockerImageName.parse("redis:7"))
                .withNetwork(network).withNetworkAliases("redis").withExposedPorts(6379);
        mongo.start();
        redis.start();
        ChatClients.useRedis("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
        mongoClient = MongoClients.create(mongo.getReplicaSetUrl("mqchat"));
        for (String user : List.of("ann", "ben")) {
            ChatClients.createUser(mongoClient, user);
        }

        hivemq = new GenericContainer<>(HIVEMQ_IMAGE)
                .withNetwork(network)
                .withExposedPorts(1883, 8000)
                .withEnv("HIVEMQ_ALLOW_ALL_CLIENTS", "false")
                .withEnv("MQCHAT_MONGO_URI", "mongodb://mongo:27017/mqchat")
                .withEnv("MQCHAT_REDIS_ADDRESS", "redis://redis:6379")
                .withEnv("MQCHAT_JWT_SECRET", ChatClients.SECRET)
                // world-readable/writable like the Testcontainers HiveMQ module does: HiveMQ runs as a
                // non-root user inside the image and the copied files belong to root
                .withCopyFileToContainer(MountableFile.forHostPath(extension, 0777),
                        "/opt/hivemq/extensions/mqchat-extension")
                .withCopyFileToContainer(MountableFile.forHostPath(config.resolve("config.xml"), 0644),
                        "/opt/hivemq/conf/config.xml")
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("hivemq-container")))
                .waitingFor(new WaitAllStrategy()
                        .withStrategy(Wait.forLogMessage(".*mqchat extension started.*", 1))
                        .withStrategy(Wait.forLogMessage(".*Started HiveMQ in.*", 1))
                        .withStartupTimeout(Duration.ofMinutes(3)));
        hivemq.start();
    }

    @AfterAll
    static void stop() {
        ChatClients.closeRedis();
        if (mongoClient != null) {
            mongoClient.close();
        }
        for (var container : new GenericContainer<?>[] {hivemq, redis, mongo}) {
            if (container != null) {
                container.stop();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    /** A folder built elsewhere in the repository, from a system property or relative to the module. */
    private static Path builtFolder(String property, String fallback, String mustContain, String what) {
        Path dir = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
        assertThat(dir.resolve(mustContain)).as("%s: %s", what, dir).isRegularFile();
        return dir;
    }

    private static String tcpUri() {
        return "tcp://" + hivemq.getHost() + ":" + hivemq.getMappedPort(1883);
    }

    private static String websocketUri() {
        return "ws://" + hivemq.getHost() + ":" + hivemq.getMappedPort(8000) + "/mqtt";
    }

    @Test
    void anonymousConnectIsRefused() throws Exception {
        MqttAsyncClient anonymous = new MqttAsyncClient(tcpUri(), "ann:phone", new MemoryPersistence());
        assertThatThrownBy(() -> anonymous.connect(new MqttConnectionOptions()).waitForCompletion(15_000))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(0x87)); // not authorized
        anonymous.close(true);
    }

    @Test
    void aTokenClientSendsADirectMessageThatArrivesWithSeqOne() throws Exception {
        ChatClients.Inbox benInbox = new ChatClients.Inbox();
        // the receiver over the WebSocket listener of docker/hivemq/config.xml, the sender over TCP
        MqttAsyncClient ben = connect(websocketUri(), "ben", "web", benInbox);
        MqttAsyncClient ann = connect(tcpUri(), "ann", "phone", new ChatClients.Inbox());

        assertThat(publish(ann, "chat/u/ben", "{\"cid\":\"c-1\",\"type\":\"text\",\"body\":\"hello ben\"}"))
                .isLessThan(0x80);
        await().atMost(Duration.ofSeconds(15)).until(() -> benInbox.chat.size() == 1);
        JsonNode m = benInbox.chat.get(0);
        assertThat(m.get("seq").asLong()).isEqualTo(1);
        assertThat(m.get("conv").asText()).isEqualTo("d:ann:ben");
        assertThat(m.get("from").asText()).isEqualTo("ann");
        assertThat(m.get("body").asText()).isEqualTo("hello ben");
        Document stored = mongoClient.getDatabase("mqchat").getCollection(StoreSchema.MESSAGES)
                .find(Filters.eq("_id", m.get("id").asText())).first();
        assertThat(stored).isNotNull();
        assertThat(stored.getString("body")).isEqualTo("hello ben");
        ann.disconnect().waitForCompletion();
        ben.disconnect().waitForCompletion();
    }
}
