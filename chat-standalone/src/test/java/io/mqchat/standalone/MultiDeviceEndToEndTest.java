package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * Several devices per user on the real one-process stack: every device sees the whole conversation, a
 * second login of a device type kicks the first for good, logout disconnects, presence follows
 * connections (including one cut without DISCONNECT).
 */
class MultiDeviceEndToEndTest {

    @TempDir
    static Path dataDir;

    private static EmbeddedStack stack;
    private static StandaloneSettings settings;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(dataDir);
        env.put("MQCHAT_PRESENCE_GRACE", "1s");
        settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        for (String user : List.of("amy", "ben")) {
            assertThat(post("/api/v1/auth/register", "{\"userId\":\"" + user + "\",\"password\":\"secret-pass-1\"}", null)
                    .statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** One MQTT 5 device: what arrives, and why it was disconnected. */
    static final class Device implements MqttCallback {
        final List<JsonNode> inbox = new CopyOnWriteArrayList<>();
        final List<JsonNode> presence = new CopyOnWriteArrayList<>();
        final List<MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();
        MqttAsyncClient client;
        String token;

        List<JsonNode> chat() {
            return inbox.stream().filter(n -> n.has("seq")).toList();
        }

        List<JsonNode> events(String type) {
            return inbox.stream().filter(n -> !n.has("seq") && type.equals(n.path("type").asText())).toList();
        }

        public void disconnected(MqttDisconnectResponse response) {
            disconnects.add(response);
        }

        public void mqttErrorOccurred(MqttException exception) {
        }

        public void messageArrived(String topic, MqttMessage message) throws Exception {
            JsonNode json = Json.MAPPER.readTree(message.getPayload());
            (topic.startsWith("chat/p/") ? presence : inbox).add(json);
        }

        public void deliveryComplete(IMqttToken token) {
        }

        public void connectComplete(boolean reconnect, String serverURI) {
        }

        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static HttpResponse<String> post(String path, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.apiPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(String method, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.apiPort() + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String login(String user, String device) throws Exception {
        HttpResponse<String> r = post("/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"secret-pass-1\",\"deviceType\":\"" + device + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body()).get("token").asText();
    }

    private static MqttAsyncClient connectWith(String user, String device, String token, Device d) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + settings.mqttPort(), user + ":" + device,
                new MemoryPersistence());
        client.setCallback(d);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    private static Device device(String user, String type) throws Exception {
        Device d = new Device();
        d.token = login(user, type);
        d.client = connectWith(user, type, d.token, d);
        d.client.subscribe(new MqttSubscription("chat/u/" + user, 1)).waitForCompletion(10_000);
        return d;
    }

    private static void send(Device from, String to, String cid, String text) throws Exception {
        MqttMessage m = new MqttMessage(("{\"cid\":\"" + cid + "\",\"body\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        from.client.publish("chat/u/" + to, m).waitForCompletion(10_000);
    }

    @Test
    void everyDeviceSeesTheConversationAndASecondLoginKicksTheFirstForGood() throws Exception {
        Device amyPhone = device("amy", "phone");
        Device amyDesktop = device("amy", "desktop");
        Device benPhone = device("ben", "phone");

        send(amyPhone, "ben", "k1", "from amy's phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> benPhone.chat().size() == 1 && amyDesktop.chat().size() == 1
                && amyPhone.chat().size() == 1);
        JsonNode atBen = benPhone.chat().get(0);
        assertThat(amyDesktop.chat().get(0).get("id").asText()).isEqualTo(atBen.get("id").asText());
        assertThat(amyDesktop.chat().get(0).get("seq").asLong()).isEqualTo(atBen.get("seq").asLong());
        send(benPhone, "amy", "k2", "reply");
        await().atMost(Duration.ofSeconds(10)).until(() -> amyDesktop.chat().size() == 2 && amyPhone.chat().size() == 2);

        // a second phone logs in: the first phone is told why and disconnected
        String secondPhoneToken = login("amy", "phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> !amyPhone.disconnects.isEmpty());
        assertThat(amyPhone.events("kick")).as("the kick event arrives before the disconnect").hasSize(1);
        assertThat(amyPhone.disconnects.get(0).getReturnCode()).isEqualTo(0x8E); // session taken over
        assertThat(amyPhone.events("kick").get(0).get("device").asText()).isEqualTo("phone");
        assertThat(amyDesktop.client.isConnected()).as("other device types stay").isTrue();

        // the kicked phone cannot come back with its old token, over MQTT or REST
        Device again = new Device();
        assertThatThrownBy(() -> connectWith("amy", "phone", amyPhone.token, again))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(call("GET", "/api/v1/devices", amyPhone.token).statusCode()).isEqualTo(401);
        // the new phone can
        Device secondPhone = new Device();
        secondPhone.client = connectWith("amy", "phone", secondPhoneToken, secondPhone);
        assertThat(secondPhone.client.isConnected()).isTrue();

        // the device list shows both types online
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode devices = Json.MAPPER.readTree(call("GET", "/api/v1/devices", amyDesktop.token).body());
            assertThat(devices).extracting(d -> d.get("deviceType").asText() + "=" + d.get("online").asBoolean())
                    .contains("phone=true", "desktop=true");
        });

        // logging the phone out from the desktop disconnects it, and its token is dead
        assertThat(call("DELETE", "/api/v1/devices/phone", amyDesktop.token).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> !secondPhone.disconnects.isEmpty());
        assertThat(secondPhone.disconnects.get(0).getReturnCode()).isEqualTo(0x98); // administrative action
        assertThatThrownBy(() -> connectWith("amy", "phone", secondPhoneToken, new Device()))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(call("DELETE", "/api/v1/devices/phone", amyDesktop.token).statusCode()).isEqualTo(404);
        // bad input gets a clear refusal and changes nothing
        HttpResponse<String> badType = call("DELETE", "/api/v1/devices/PHONE", amyDesktop.token);
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(badType.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(call("GET", "/api/v1/users/no$such/presence", amyDesktop.token).statusCode()).isEqualTo(404);
        assertThat(amyDesktop.client.isConnected()).isTrue();

        amyDesktop.client.disconnect().waitForCompletion();
        benPhone.client.disconnect().waitForCompletion();
    }

    @Test
    void presenceFollowsConnectionsEvenWhenOneIsCutWithoutDisconnect() throws Exception {
        Device benTablet = device("ben", "tablet");
        Device amyWeb = device("amy", "web");
        // a conversation both wrote in makes presence visible to each other (a message alone does not)
        send(amyWeb, "ben", "p1", "hi");
        send(benTablet, "amy", "p2", "hi amy");
        // the summaries that record it are written just after the PUBACK: ask until they are
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            IMqttToken sub = benTablet.client.subscribe(new MqttSubscription("chat/p/amy", 1));
            try {
                sub.waitForCompletion(10_000);
            } catch (MqttException refused) {
                return false;
            }
            return sub.getReasonCodes()[0] == 1;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> benTablet.presence.stream()
                .anyMatch(p -> p.get("online").asBoolean() && p.get("devices").toString().contains("web")));
        JsonNode rest = Json.MAPPER.readTree(call("GET", "/api/v1/users/amy/presence", benTablet.token).body());
        assertThat(rest.get("online").asBoolean()).isTrue();

        // the connection drops without a DISCONNECT (network gone): offline after the grace period
        amyWeb.client.disconnectForcibly(0, 1000, false);
        await().atMost(Duration.ofSeconds(15)).until(() -> benTablet.presence.stream()
                .anyMatch(p -> !p.get("devices").toString().contains("web")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode after = Json.MAPPER.readTree(call("GET", "/api/v1/users/amy/presence", benTablet.token).body());
            assertThat(after.get("devices").toString()).doesNotContain("web");
            assertThat(after.get("lastSeen").isNull()).isFalse();
        });

        // strangers see nothing
        Device stranger = new Device();
        HttpResponse<String> reg = post("/api/v1/auth/register", "{\"userId\":\"cat\",\"password\":\"secret-pass-1\"}", null);
        assertThat(reg.statusCode()).isEqualTo(201);
        stranger.token = login("cat", "phone");
        stranger.client = connectWith("cat", "phone", stranger.token, stranger);
        IMqttToken refused = stranger.client.subscribe(new MqttSubscription("chat/p/amy", 1));
        try {
            refused.waitForCompletion(10_000);
        } catch (MqttException expected) {
            // the SUBACK code is checked below
        }
        assertThat(refused.getReasonCodes()).containsExactly(0x87);
        assertThat(call("GET", "/api/v1/users/amy/presence", stranger.token).statusCode()).isEqualTo(403);
        stranger.client.disconnect().waitForCompletion();
        benTablet.client.disconnect().waitForCompletion();
    }
}
