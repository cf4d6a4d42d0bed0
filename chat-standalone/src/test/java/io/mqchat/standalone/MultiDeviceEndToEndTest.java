package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several devices per user on the real one-process stack: every device sees the whole conversation, a
 * second login of a device type kicks the first for good, logout disconnects, presence follows
 * connections (including one cut without DISCONNECT).
 */
class MultiDeviceEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_PRESENCE_GRACE", "1s").users(PASSWORD, "amy", "ben");
    private static final StackClient client = STACK.client();

    private static StackClient.Device device(String user, String type) throws Exception {
        return client.device(user, PASSWORD, type);
    }

    private static void send(StackClient.Device from, String to, String cid, String text) throws Exception {
        from.publishAccepted("chat/u/" + to, "{\"cid\":\"" + cid + "\",\"body\":\"" + text + "\"}");
    }

    private static HttpResponse<String> call(String method, String path, String token) throws Exception {
        return client.api(method, path, null, token);
    }

    @Test
    void everyDeviceSeesTheConversationAndASecondLoginKicksTheFirstForGood() throws Exception {
        StackClient.Device amyPhone = device("amy", "phone");
        StackClient.Device amyDesktop = device("amy", "desktop");
        StackClient.Device benPhone = device("ben", "phone");

        send(amyPhone, "ben", "k1", "from amy's phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> benPhone.chat().size() == 1 && amyDesktop.chat().size() == 1
                && amyPhone.chat().size() == 1);
        JsonNode atBen = benPhone.chat().get(0);
        assertThat(amyDesktop.chat().get(0).get("id").asText()).isEqualTo(atBen.get("id").asText());
        assertThat(amyDesktop.chat().get(0).get("seq").asLong()).isEqualTo(atBen.get("seq").asLong());
        send(benPhone, "amy", "k2", "reply");
        await().atMost(Duration.ofSeconds(10)).until(() -> amyDesktop.chat().size() == 2 && amyPhone.chat().size() == 2);

        // a second phone logs in: the first phone is told why and disconnected
        String secondPhoneToken = client.login("amy", PASSWORD, "phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> !amyPhone.disconnects.isEmpty());
        assertThat(amyPhone.events("kick")).as("the kick event arrives before the disconnect").hasSize(1);
        assertThat(amyPhone.disconnects.get(0).getReturnCode()).isEqualTo(0x8E); // session taken over
        assertThat(amyPhone.events("kick").get(0).get("device").asText()).isEqualTo("phone");
        assertThat(amyDesktop.mqtt.isConnected()).as("other device types stay").isTrue();

        // the kicked phone cannot come back with its old token, over MQTT or REST
        assertThatThrownBy(() -> client.new Device("amy", "phone", amyPhone.token))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(call("GET", "/api/v1/devices", amyPhone.token).statusCode()).isEqualTo(401);
        // the new phone can
        StackClient.Device secondPhone = client.new Device("amy", "phone", secondPhoneToken);
        assertThat(secondPhone.mqtt.isConnected()).isTrue();

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
        assertThatThrownBy(() -> client.new Device("amy", "phone", secondPhoneToken))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(call("DELETE", "/api/v1/devices/phone", amyDesktop.token).statusCode()).isEqualTo(404);
        // bad input gets a clear refusal and changes nothing
        HttpResponse<String> badType = call("DELETE", "/api/v1/devices/PHONE", amyDesktop.token);
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(badType.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(call("GET", "/api/v1/users/no$such/presence", amyDesktop.token).statusCode()).isEqualTo(404);
        assertThat(amyDesktop.mqtt.isConnected()).isTrue();

        amyDesktop.close();
        benPhone.close();
    }

    @Test
    void presenceFollowsConnectionsEvenWhenOneIsCutWithoutDisconnect() throws Exception {
        StackClient.Device benTablet = device("ben", "tablet");
        StackClient.Device amyWeb = device("amy", "web");
        // a conversation both wrote in makes presence visible to each other (a message alone does not)
        send(amyWeb, "ben", "p1", "hi");
        send(benTablet, "amy", "p2", "hi amy");
        // the summaries that record it are written just after the PUBACK: ask until they are
        await().atMost(Duration.ofSeconds(10)).until(() -> benTablet.subscribe("chat/p/amy").equals(List.of(1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> benTablet.presence.stream()
                .anyMatch(p -> p.get("online").asBoolean() && p.get("devices").toString().contains("web")));
        JsonNode rest = Json.MAPPER.readTree(call("GET", "/api/v1/users/amy/presence", benTablet.token).body());
        assertThat(rest.get("online").asBoolean()).isTrue();

        // the connection drops without a DISCONNECT (network gone): offline after the grace period
        amyWeb.mqtt.disconnectForcibly(0, 1000, false);
        await().atMost(Duration.ofSeconds(15)).until(() -> benTablet.presence.stream()
                .anyMatch(p -> !p.get("devices").toString().contains("web")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode after = Json.MAPPER.readTree(call("GET", "/api/v1/users/amy/presence", benTablet.token).body());
            assertThat(after.get("devices").toString()).doesNotContain("web");
            assertThat(after.get("lastSeen").isNull()).isFalse();
        });

        // strangers see nothing
        client.register("cat", PASSWORD);
        StackClient.Device stranger = client.new Device("cat", "phone", client.login("cat", PASSWORD, "phone"));
        assertThat(stranger.subscribe("chat/p/amy")).containsExactly(0x87);
        assertThat(call("GET", "/api/v1/users/amy/presence", stranger.token).statusCode()).isEqualTo(403);
        stranger.close();
        benTablet.close();
    }
}
