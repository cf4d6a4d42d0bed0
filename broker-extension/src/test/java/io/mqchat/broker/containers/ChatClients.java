package io.mqchat.broker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the container tests share: the token secret, users made directly in MongoDB, and real Paho MQTT 5
 * clients that log in with a token and collect what arrives on their inbox.
 */
final class ChatClients {

    static final String SECRET = "container-test-secret-container-test-secret";
    static final AccessTokens TOKENS = new AccessTokens(SECRET);
    private static volatile org.redisson.api.RedissonClient redisson;

    /** Where logins are recorded (as chat-api's login does): a token is accepted only while it is current. */
    static synchronized void useRedis(String redisAddress) {
        if (redisson != null) {
            redisson.shutdown();
        }
        org.redisson.config.Config config = new org.redisson.config.Config();
        config.useSingleServer().setAddress(redisAddress);
        redisson = org.redisson.Redisson.create(config);
    }

    static synchronized void closeRedis() {
        if (redisson != null) {
            redisson.shutdown();
            redisson = null;
        }
    }

    static String login(String user, String device) {
        return new io.mqchat.common.redis.DeviceLogins(redisson, java.time.Clock.systemUTC())
                .issue(TOKENS, user, device, Duration.ofHours(1), io.mqchat.common.auth.DevicePolicy.perType()).token();
    }

    private ChatClients() {
    }

    static void createUser(MongoClient mongo, String userId) {
        mongo.getDatabase("mqchat").getCollection(StoreSchema.USERS).insertOne(new Document(StoreSchema.User.ID, userId)
                .append(StoreSchema.User.PASSWORD_HASH, "x").append(StoreSchema.User.CREATED_AT, new Date()));
    }

    /** Connects {@code user:device} over MQTT 5 with a fresh token and subscribes to the user's inbox. */
    static MqttAsyncClient connect(String serverUri, String user, String device, Inbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(serverUri, user + ":" + device, new MemoryPersistence());
        client.setCallback(inbox);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(login(user, device).getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(15_000);
        IMqttToken sub = client.subscribe(new MqttSubscription("chat/u/" + user, 1));
        sub.waitForCompletion(15_000);
        assertThat(sub.getReasonCodes()).as("SUBACK of %s's inbox", user).containsExactly(1);
        return client;
    }

    /** Publishes a QoS 1 message and returns the PUBACK reason code (>= 0x80 is a refusal). */
    static int publish(MqttAsyncClient client, String topic, String payload) throws Exception {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        IMqttToken token = client.publish(topic, message);
        try {
            token.waitForCompletion(15_000);
        } catch (MqttException refused) {
            // Paho reports an error PUBACK as an exception; the reason code is read below
        }
        return ((MqttPubAck) token.getResponse()).getReturnCode();
    }

    /** The chat messages (JSON with a seq) that reached one client. */
    static final class Inbox implements MqttCallback {
        final List<JsonNode> chat = new CopyOnWriteArrayList<>();

        @Override
        public void messageArrived(String topic, MqttMessage message) throws IOException {
            JsonNode node = Json.MAPPER.readTree(message.getPayload());
            if (node.has("seq")) {
                chat.add(node);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
