package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.eclipse.paho.mqttv5.common.packet.MqttConnect;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The admin API against the real one-process stack (broker with the extension, chat-api, Redis, the embedded
 * store) and real Paho clients: a ban disconnects the user's live devices and keeps them out of login and
 * CONNECT (MQTT 5 0x8A with the reason, 3.1.1 not authorized) until it is lifted; a kick disconnects devices
 * and kills their tokens.
 */
class AdminEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @TempDir
    static Path dataDir;

    private static EmbeddedStack stack;
    private static StandaloneSettings settings;
    private static StackClient client;
    private static String boss;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(dataDir);
        env.put("MQCHAT_ADMINS", "boss");
        env.put("MQCHAT_PRESENCE_GRACE", "1s");
        settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        client = new StackClient(settings);
        for (String user : List.of("boss", "eve", "kim")) {
            client.register(user, PASSWORD);
        }
        boss = client.login("boss", PASSWORD, "web");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** A connected MQTT 5 device that records why it was disconnected. */
    static final class Device implements MqttCallback {
        final List<MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();
        final String token;
        final MqttAsyncClient mqtt;

        Device(String user, String type) throws Exception {
            token = client.login(user, PASSWORD, type);
            mqtt = connect5(user, type, token, this);
        }

        public void disconnected(MqttDisconnectResponse response) {
            disconnects.add(response);
        }

        public void mqttErrorOccurred(MqttException exception) {
        }

        public void messageArrived(String topic, MqttMessage message) {
        }

        public void deliveryComplete(IMqttToken token) {
        }

        public void connectComplete(boolean reconnect, String serverURI) {
        }

        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        /** For connects expected to be refused. */
        static final class NoCallback implements MqttCallback {
            public void disconnected(MqttDisconnectResponse response) {
            }

            public void mqttErrorOccurred(MqttException exception) {
            }

            public void messageArrived(String topic, MqttMessage message) {
            }

            public void deliveryComplete(IMqttToken token) {
            }

            public void connectComplete(boolean reconnect, String serverURI) {
            }

            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        }
    }

    private static MqttAsyncClient connect5(String user, String type, String token, MqttCallback callback) throws Exception {
        MqttAsyncClient mqtt = new MqttAsyncClient("tcp://127.0.0.1:" + settings.mqttPort(), user + ":" + type,
                new MemoryPersistence());
        mqtt.setCallback(callback);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        mqtt.connect(options).waitForCompletion(10_000);
        return mqtt;
    }

    private static void connect3(String user, String type, String token) throws Exception {
        MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + settings.mqttPort(), user + ":" + type,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(user);
        options.setPassword(token.toCharArray());
        try {
            mqtt.connect(options);
            mqtt.disconnect();
        } finally {
            mqtt.close();
        }
    }

    /** The CONNACK of an MQTT 5 CONNECT on a bare socket: Paho's client does not hand over its reason string. */
    private static MqttConnAck connack5(String user, String type, String token) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", settings.mqttPort())) {
            socket.setSoTimeout(10_000);
            MqttConnect connect = new MqttConnect(user + ":" + type, 5, true, 60, new MqttProperties(), new MqttProperties());
            connect.setUserName(user);
            connect.setPassword(token.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(connect.getHeader());
            socket.getOutputStream().write(connect.getPayload());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            packet.write(in.read());
            int length = 0;
            int multiplier = 1;
            int b;
            do {
                b = in.read();
                packet.write(b);
                length += (b & 0x7F) * multiplier;
                multiplier *= 128;
            } while ((b & 0x80) != 0);
            packet.write(in.readNBytes(length));
            return (MqttConnAck) MqttWireMessage.createWireMessage(packet.toByteArray());
        }
    }

    private static HttpResponse<String> admin(String method, String path, String json) throws Exception {
        return client.api(method, "/api/v1/admin" + path, json, boss);
    }

    @Test
    void aBanKicksLiveDevicesAndKeepsThemOutOfLoginAndConnectUntilItIsLifted() throws Exception {
        Device phone = new Device("eve", "phone");
        Device desktop = new Device("eve", "desktop");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(StackClient.json(admin("GET", "/users/eve", null))
                .get("devices")).extracting(d -> d.get("deviceType").asText() + "=" + d.get("online").asBoolean())
                .contains("phone=true", "desktop=true"));

        String until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        HttpResponse<String> banned = admin("POST", "/users/eve/ban", "{\"reason\":\"spam\",\"until\":\"" + until + "\"}");
        assertThat(banned.statusCode()).as(banned.body()).isEqualTo(200);

        // live devices are disconnected at once, with the reason
        await().atMost(Duration.ofSeconds(10)).until(() -> !phone.disconnects.isEmpty() && !desktop.disconnects.isEmpty());
        assertThat(phone.disconnects.get(0).getReturnCode()).isEqualTo(0x98); // administrative action
        assertThat(phone.disconnects.get(0).getReasonString()).contains("banned").contains(until).contains("spam");
        // their old tokens are dead over REST
        HttpResponse<String> rest = client.api("GET", "/api/v1/devices", null, phone.token);
        assertThat(rest.statusCode()).isEqualTo(401);
        assertThat(rest.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        // login: 403 problem naming the ban's end
        HttpResponse<String> login = client.api("POST", "/api/v1/auth/login",
                "{\"userId\":\"eve\",\"password\":\"" + PASSWORD + "\",\"deviceType\":\"phone\"}", null);
        assertThat(login.statusCode()).isEqualTo(403);
        assertThat(login.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(StackClient.json(login).get("detail").asText()).contains("banned until " + until);
        assertThat(StackClient.json(login).get("code").asText()).isEqualTo("banned");
        // CONNECT: MQTT 5 0x8A banned with a reason string, 3.1.1 not authorized
        MqttConnAck connack = connack5("eve", "phone", phone.token);
        assertThat(connack.getReturnCode()).isEqualTo(0x8A);
        assertThat(connack.getProperties().getReasonString()).contains("banned until " + until);
        assertThatThrownBy(() -> connect5("eve", "phone", phone.token, new Device.NoCallback()))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x8A));
        assertThatThrownBy(() -> connect3("eve", "desktop", desktop.token))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(5));
        assertThat(StackClient.json(admin("GET", "/users/eve", null)).get("banned").get("until").asText()).isEqualTo(until);

        // lifted: login and CONNECT work again, MQTT 5 and 3.1.1
        assertThat(admin("DELETE", "/users/eve/ban", null).statusCode()).isEqualTo(204);
        Device again = new Device("eve", "phone");
        assertThat(again.mqtt.isConnected()).isTrue();
        connect3("eve", "desktop", client.login("eve", PASSWORD, "desktop"));
        again.mqtt.disconnect().waitForCompletion(5_000);
        again.mqtt.close();

        assertThat(StackClient.json(admin("GET", "/audit?target=eve", null)).get("entries"))
                .extracting(e -> e.get("action").asText()).containsExactly("unbanned", "banned");
    }

    @Test
    void aKickDisconnectsTheDevicesAndTheirTokensStopWorking() throws Exception {
        Device phone = new Device("kim", "phone");
        Device desktop = new Device("kim", "desktop");

        HttpResponse<String> kicked = admin("POST", "/users/kim/kick", "{\"deviceType\":\"phone\",\"reason\":\"support check\"}");
        assertThat(kicked.statusCode()).as(kicked.body()).isEqualTo(200);
        assertThat(StackClient.json(kicked).get("devices")).extracting(d -> d.asText()).containsExactly("phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> !phone.disconnects.isEmpty());
        assertThat(phone.disconnects.get(0).getReturnCode()).isEqualTo(0x98);
        assertThat(phone.disconnects.get(0).getReasonString()).contains("support check");
        assertThat(desktop.mqtt.isConnected()).as("only the phone was kicked").isTrue();
        assertThat(client.api("GET", "/api/v1/devices", null, phone.token).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> connect5("kim", "phone", phone.token, new Device.NoCallback()))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(client.api("GET", "/api/v1/devices", null, desktop.token).statusCode()).isEqualTo(200);

        // every device
        assertThat(admin("POST", "/users/kim/kick", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !desktop.disconnects.isEmpty());
        assertThat(desktop.disconnects.get(0).getReasonString()).contains("disconnected by an admin");
        assertThat(client.api("GET", "/api/v1/devices", null, desktop.token).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> connect3("kim", "desktop", desktop.token))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(5));
        // a kick is not a ban: a new login works
        Device back = new Device("kim", "phone");
        assertThat(back.mqtt.isConnected()).isTrue();
        back.mqtt.disconnect().waitForCompletion(5_000);
        back.mqtt.close();
    }

    private static JsonNode annOrBen(JsonNode online) {
        List<JsonNode> out = new java.util.ArrayList<>();
        online.get("users").forEach(u -> {
            if (List.of("ann", "ben").contains(u.get("userId").asText())) {
                out.add(u);
            }
        });
        return Json.MAPPER.valueToTree(out);
    }

    @Test
    void onlineListsLiveDevicesWithNodeAndSinceAndStatsCountWhatWasSentOverMqtt() throws Exception {
        client.register("ann", PASSWORD);
        client.register("ben", PASSWORD);
        long before = System.currentTimeMillis() - 1000;
        try (StackClient.Device annPhone = client.new Device("ann", "phone", client.login("ann", PASSWORD, "phone"));
             StackClient.Device annDesktop = client.new Device("ann", "desktop", client.login("ann", PASSWORD, "desktop"));
             StackClient.Device benWeb = client.new Device("ben", "web", client.login("ben", PASSWORD, "web"))) {
            // the devices of the other tests are gone after the grace: then exactly these three are online
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode page = StackClient.json(admin("GET", "/online", null));
                assertThat(page.get("totals").get("users").asLong()).isEqualTo(2);
                assertThat(page.get("totals").get("devices").asLong()).isEqualTo(3);
            });
            JsonNode page = StackClient.json(admin("GET", "/online", null));
            JsonNode users = annOrBen(page);
            assertThat(users).extracting(u -> u.get("userId").asText()).containsExactly("ann", "ben");
            assertThat(users.get(0).get("devices")).extracting(d -> d.get("deviceType").asText())
                    .containsExactly("desktop", "phone");
            String node = users.get(0).get("devices").get(0).get("node").asText();
            assertThat(node).isNotBlank();
            for (JsonNode u : users) {
                for (JsonNode d : u.get("devices")) {
                    assertThat(d.get("node").asText()).isEqualTo(node); // one broker node in this stack
                    assertThat(Instant.parse(d.get("since").asText()).toEpochMilli())
                            .isBetween(before, System.currentTimeMillis());
                }
            }
            assertThat(page.get("totals").get("nodes")).hasSize(1);
            assertThat(page.get("totals").get("nodes").get(node).asLong()).isEqualTo(3);
            assertThat(page.get("next").isNull()).isTrue();
            // paged by user id
            JsonNode first = StackClient.json(admin("GET", "/online?limit=1", null));
            assertThat(first.get("users")).extracting(u -> u.get("userId").asText()).containsExactly("ann");
            assertThat(first.get("next").asText()).isEqualTo("ann");
            assertThat(StackClient.json(admin("GET", "/online?limit=1&after=ann", null)).get("users"))
                    .extracting(u -> u.get("userId").asText()).containsExactly("ben");

            // stats: users, groups, and the messages sent over MQTT
            HttpResponse<String> group = client.api("POST", "/api/v1/groups", "{\"name\":\"Stats\",\"members\":[\"ben\"]}",
                    client.login("ann", PASSWORD, "web"));
            assertThat(group.statusCode()).as(group.body()).isEqualTo(201);
            JsonNode was = StackClient.json(admin("GET", "/stats", null));
            assertThat(was.get("users").asLong()).isEqualTo(5); // boss, eve, kim, ann, ben
            for (int i = 0; i < 3; i++) {
                assertThat(StackClient.pubackCode(annPhone.publish("chat/u/ben",
                        "{\"cid\":\"stats-" + i + "\",\"body\":\"hi " + i + "\"}"))).isZero();
            }
            HttpResponse<String> statsResponse = admin("GET", "/stats", null);
            assertThat(statsResponse.statusCode()).as(statsResponse.body()).isEqualTo(200);
            JsonNode stats = StackClient.json(statsResponse);
            assertThat(stats.get("messages").get("total").asLong()).isEqualTo(was.get("messages").get("total").asLong() + 3);
            assertThat(stats.get("messages").get("lastMinute").asLong())
                    .isEqualTo(was.get("messages").get("lastMinute").asLong() + 3);
            assertThat(stats.get("messages").get("lastHour").asLong())
                    .isEqualTo(was.get("messages").get("lastHour").asLong() + 3);
            assertThat(stats.get("messages").get("lastMinute").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(stats.get("groups").asLong()).isEqualTo(1);
            assertThat(stats.get("online").get("users").asLong()).isEqualTo(2);
            assertThat(stats.get("online").get("devices").asLong()).isEqualTo(3);
            assertThat(stats.get("online").get("nodes").get(node).asLong()).isEqualTo(3);
            assertThat(stats.get("health").get("mongo").get("status").asText()).isEqualTo("UP");
            assertThat(stats.get("health").get("redis").get("status").asText()).isEqualTo("UP");

            // admins only; hostile paging is refused
            String annToken = client.login("ann", PASSWORD, "tablet");
            for (String path : List.of("/api/v1/admin/online", "/api/v1/admin/stats")) {
                HttpResponse<String> refused = client.api("GET", path, null, annToken);
                assertThat(refused.statusCode()).isEqualTo(403);
                assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            }
            for (String query : List.of("limit=0", "limit=201", "limit=x", "after=%7B%7D", "after=a%2Fb")) {
                HttpResponse<String> bad = admin("GET", "/online?" + query, null);
                assertThat(bad.statusCode()).as(query).isEqualTo(400);
                assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            }

            // one device goes: it disappears, the totals follow
            annDesktop.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode now = StackClient.json(admin("GET", "/online", null));
                assertThat(annOrBen(now).get(0).get("devices")).extracting(d -> d.get("deviceType").asText())
                        .containsExactly("phone");
                assertThat(now.get("totals").get("devices").asLong()).isEqualTo(2);
                assertThat(now.get("totals").get("users").asLong()).isEqualTo(2);
                assertThat(now.get("totals").get("nodes").get(node).asLong()).isEqualTo(2);
            });
        }
    }
}
