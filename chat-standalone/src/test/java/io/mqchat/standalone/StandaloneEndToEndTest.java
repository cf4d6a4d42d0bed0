package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import io.mqchat.embedded.FreePorts;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The one-process stack as a user meets it: register and log in over REST, chat over MQTT, read history
 * over REST — and everything is still there after a restart on the same data folder.
 */
class StandaloneEndToEndTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedStack stack;

    @TempDir
    Path dataDir;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private Map<String, String> env() {
        return TestEnvironment.freshStack(dataDir);
    }

    private StandaloneSettings startStack(Map<String, String> env) {
        StandaloneSettings settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        return settings;
    }

    private HttpResponse<String> post(int port, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode history(StandaloneSettings s, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.historyPort()
                        + "/api/v1/conversations/d:alice:bob/messages?limit=50"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private String login(StandaloneSettings s, String user, String password, String device) throws Exception {
        HttpResponse<String> response = post(s.apiPort(), "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceType\":\"" + device + "\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("clientId").asText()).isEqualTo(user + ":" + device);
        return body.get("token").asText();
    }

    private MqttAsyncClient connect(StandaloneSettings s, String user, String device, String token,
                                    List<JsonNode> inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + s.mqttPort(), user + ":" + device,
                new MemoryPersistence());
        client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
            }

            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
            }

            public void messageArrived(String topic, MqttMessage message) throws Exception {
                inbox.add(Json.MAPPER.readTree(message.getPayload()));
            }

            public void deliveryComplete(IMqttToken token) {
            }

            public void connectComplete(boolean reconnect, String uri) {
            }

            public void authPacketArrived(int code, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        client.connect(options).waitForCompletion(10_000);
        client.subscribe(new MqttSubscription("chat/u/" + user, 1)).waitForCompletion(10_000);
        return client;
    }

    private static void send(MqttAsyncClient client, String peer, String cid, String text) throws Exception {
        MqttMessage m = new MqttMessage(("{\"cid\":\"" + cid + "\",\"body\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        client.publish("chat/u/" + peer, m).waitForCompletion(10_000);
    }

    @Test
    void registerLoginChatReadHistoryAndKeepItAllAcrossARestart() throws Exception {
        Map<String, String> env = env();
        StandaloneSettings s = startStack(env);
        assertThat(post(s.apiPort(), "/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"wonderland-42\"}")
                .statusCode()).isEqualTo(201);
        assertThat(post(s.apiPort(), "/api/v1/auth/register", "{\"userId\":\"bob\",\"password\":\"builder-4242\"}")
                .statusCode()).isEqualTo(201);
        String aliceToken = login(s, "alice", "wonderland-42", "phone");
        String bobToken = login(s, "bob", "builder-4242", "desktop");

        List<JsonNode> bobInbox = new CopyOnWriteArrayList<>();
        MqttAsyncClient alice = connect(s, "alice", "phone", aliceToken, new CopyOnWriteArrayList<>());
        MqttAsyncClient bob = connect(s, "bob", "desktop", bobToken, bobInbox);
        for (int i = 1; i <= 3; i++) {
            send(alice, "bob", "c" + i, "hello " + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.size() == 3);
        assertThat(bobInbox).extracting(n -> n.get("seq").asLong()).containsExactly(1L, 2L, 3L);
        JsonNode page = history(s, bobToken);
        assertThat(page.get("messages")).extracting(n -> n.get("body").asText())
                .containsExactly("hello 1", "hello 2", "hello 3");
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
        alice.close();
        bob.close();
        stack.close();
        stack = null;

        // same data folder, same secret (kept under it): accounts, tokens and messages survive
        StandaloneSettings again = startStack(env);
        JsonNode after = history(again, bobToken);
        assertThat(after.get("messages")).hasSize(3);
        List<JsonNode> bobInbox2 = new CopyOnWriteArrayList<>();
        MqttAsyncClient alice2 = connect(again, "alice", "phone", login(again, "alice", "wonderland-42", "phone"),
                new CopyOnWriteArrayList<>());
        MqttAsyncClient bob2 = connect(again, "bob", "desktop", bobToken, bobInbox2);
        send(alice2, "bob", "c4", "after restart");
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox2.size() == 1);
        assertThat(bobInbox2.get(0).get("seq").asLong()).isEqualTo(4);
        alice2.disconnect().waitForCompletion();
        bob2.disconnect().waitForCompletion();
        alice2.close();
        bob2.close();
    }

    @Test
    void aStackWhoseStoresAreUnreachableDoesNotStartAnOpenBroker() throws Exception {
        Map<String, String> env = env();
        env.put("MQCHAT_REDIS_ADDRESS", "redis://127.0.0.1:" + FreePorts.next()); // nothing listens there
        assertThatThrownBy(() -> startStack(env)).hasMessageContaining("Redis");
        int mqttPort = Integer.parseInt(env.get("MQCHAT_MQTT_PORT"));
        assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", mqttPort).close())
                .isInstanceOf(java.net.ConnectException.class);
        stack = null;
    }

    @Test
    void invalidSettingsStopStartupWithAMessageSayingWhatToFix() {
        Map<String, String> env = env();
        env.put("MQCHAT_MQTT_PORT", "99999");
        env.put("MQCHAT_JWT_SECRET", "short");
        env.put("MQCHAT_LOG_FORMAT", "xml");
        env.put("MQCHAT_EMBEDDED_FSYNC", "yes");
        assertThatThrownBy(() -> StandaloneSettings.fromEnvironment(env))
                .hasMessageContaining("MQCHAT_MQTT_PORT")
                .hasMessageContaining("MQCHAT_JWT_SECRET")
                .hasMessageContaining("MQCHAT_LOG_FORMAT")
                .hasMessageContaining("MQCHAT_EMBEDDED_FSYNC");
    }
}
