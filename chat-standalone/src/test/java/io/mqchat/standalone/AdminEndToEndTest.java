package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.eclipse.paho.mqttv5.common.packet.MqttConnect;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

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

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_ADMINS", "boss").with("MQCHAT_PRESENCE_GRACE", "1s")
            .users(PASSWORD, "boss", "eve", "kim");
    private static final StackClient client = STACK.client();
    private static final StackClient.Admin boss = client.admin("boss", PASSWORD);

    /** A device logged in and connected over MQTT 5, subscribed to nothing. */
    private static StackClient.Device device(String user, String type) throws Exception {
        return client.new Device(user, type, client.login(user, PASSWORD, type));
    }

    /** The CONNACK of an MQTT 5 CONNECT on a bare socket: Paho's client does not hand over its reason string. */
    private static MqttConnAck connack5(String user, String type, String token) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", STACK.settings().mqttPort())) {
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

    @Test
    void aBanKicksLiveDevicesAndKeepsThemOutOfLoginAndConnectUntilItIsLifted() throws Exception {
        StackClient.Device phone = device("eve", "phone");
        StackClient.Device desktop = device("eve", "desktop");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(StackClient.json(boss.call("GET", "/users/eve", null))
                .get("devices")).extracting(d -> d.get("deviceType").asText() + "=" + d.get("online").asBoolean())
                .contains("phone=true", "desktop=true"));

        String until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        HttpResponse<String> banned = boss.call("POST", "/users/eve/ban", "{\"reason\":\"spam\",\"until\":\"" + until + "\"}");
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
        HttpResponse<String> login = client.loginResponse("eve", PASSWORD, "phone");
        assertThat(login.statusCode()).isEqualTo(403);
        assertThat(login.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(StackClient.json(login).get("detail").asText()).contains("banned until " + until);
        assertThat(StackClient.json(login).get("code").asText()).isEqualTo("banned");
        // CONNECT: MQTT 5 0x8A banned with a reason string, 3.1.1 not authorized
        MqttConnAck connack = connack5("eve", "phone", phone.token);
        assertThat(connack.getReturnCode()).isEqualTo(0x8A);
        assertThat(connack.getProperties().getReasonString()).contains("banned until " + until);
        assertThatThrownBy(() -> client.new Device("eve", "phone", phone.token))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x8A));
        assertThatThrownBy(() -> client.new Mqtt3Device("eve", "desktop", desktop.token))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(5));
        assertThat(StackClient.json(boss.call("GET", "/users/eve", null)).get("banned").get("until").asText()).isEqualTo(until);

        // lifted: login and CONNECT work again, MQTT 5 and 3.1.1
        assertThat(boss.call("DELETE", "/users/eve/ban", null).statusCode()).isEqualTo(204);
        StackClient.Device again = device("eve", "phone");
        assertThat(again.mqtt.isConnected()).isTrue();
        client.new Mqtt3Device("eve", "desktop", client.login("eve", PASSWORD, "desktop")).close();
        again.close();

        assertThat(StackClient.json(boss.call("GET", "/audit?target=eve", null)).get("entries"))
                .extracting(e -> e.get("action").asText()).containsExactly("unbanned", "banned");
    }

    @Test
    void aKickDisconnectsTheDevicesAndTheirTokensStopWorking() throws Exception {
        StackClient.Device phone = device("kim", "phone");
        StackClient.Device desktop = device("kim", "desktop");

        HttpResponse<String> kicked = boss.call("POST", "/users/kim/kick", "{\"deviceType\":\"phone\",\"reason\":\"support check\"}");
        assertThat(kicked.statusCode()).as(kicked.body()).isEqualTo(200);
        assertThat(StackClient.json(kicked).get("devices")).extracting(d -> d.asText()).containsExactly("phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> !phone.disconnects.isEmpty());
        assertThat(phone.disconnects.get(0).getReturnCode()).isEqualTo(0x98);
        assertThat(phone.disconnects.get(0).getReasonString()).contains("support check");
        assertThat(desktop.mqtt.isConnected()).as("only the phone was kicked").isTrue();
        assertThat(client.api("GET", "/api/v1/devices", null, phone.token).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> client.new Device("kim", "phone", phone.token))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(client.api("GET", "/api/v1/devices", null, desktop.token).statusCode()).isEqualTo(200);

        // every device
        assertThat(boss.call("POST", "/users/kim/kick", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !desktop.disconnects.isEmpty());
        assertThat(desktop.disconnects.get(0).getReasonString()).contains("disconnected by an admin");
        assertThat(client.api("GET", "/api/v1/devices", null, desktop.token).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> client.new Mqtt3Device("kim", "desktop", desktop.token))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(5));
        // a kick is not a ban: a new login works
        StackClient.Device back = device("kim", "phone");
        assertThat(back.mqtt.isConnected()).isTrue();
        back.close();
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
        try (StackClient.Device annPhone = device("ann", "phone");
             StackClient.Device annDesktop = device("ann", "desktop");
             StackClient.Device benWeb = device("ben", "web")) {
            // the devices of the other tests are gone after the grace: then exactly these three are online
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode page = StackClient.json(boss.call("GET", "/online", null));
                assertThat(page.get("totals").get("users").asLong()).isEqualTo(2);
                assertThat(page.get("totals").get("devices").asLong()).isEqualTo(3);
            });
            JsonNode page = StackClient.json(boss.call("GET", "/online", null));
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
            JsonNode first = StackClient.json(boss.call("GET", "/online?limit=1", null));
            assertThat(first.get("users")).extracting(u -> u.get("userId").asText()).containsExactly("ann");
            assertThat(first.get("next").asText()).isEqualTo("ann");
            assertThat(StackClient.json(boss.call("GET", "/online?limit=1&after=ann", null)).get("users"))
                    .extracting(u -> u.get("userId").asText()).containsExactly("ben");

            // stats: users, groups, and the messages sent over MQTT
            HttpResponse<String> group = client.api("POST", "/api/v1/groups", "{\"name\":\"Stats\",\"members\":[\"ben\"]}",
                    client.login("ann", PASSWORD, "web"));
            assertThat(group.statusCode()).as(group.body()).isEqualTo(201);
            JsonNode was = StackClient.json(boss.call("GET", "/stats", null));
            assertThat(was.get("users").asLong()).isEqualTo(5); // boss, eve, kim, ann, ben
            for (int i = 0; i < 3; i++) {
                assertThat(StackClient.pubackCode(annPhone.publish("chat/u/ben",
                        "{\"cid\":\"stats-" + i + "\",\"body\":\"hi " + i + "\"}"))).isZero();
            }
            HttpResponse<String> statsResponse = boss.call("GET", "/stats", null);
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
                HttpResponse<String> bad = boss.call("GET", "/online?" + query, null);
                assertThat(bad.statusCode()).as(query).isEqualTo(400);
                assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            }

            // one device goes: it disappears, the totals follow
            annDesktop.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode now = StackClient.json(boss.call("GET", "/online", null));
                assertThat(annOrBen(now).get(0).get("devices")).extracting(d -> d.get("deviceType").asText())
                        .containsExactly("phone");
                assertThat(now.get("totals").get("devices").asLong()).isEqualTo(2);
                assertThat(now.get("totals").get("users").asLong()).isEqualTo(2);
                assertThat(now.get("totals").get("nodes").get(node).asLong()).isEqualTo(2);
            });
        }
    }
}
