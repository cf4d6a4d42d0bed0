package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Changing your password and deleting your account against the real one-process stack and real Paho clients:
 * a new password disconnects the user's other live devices and keeps the calling one; a deleted account's
 * devices are disconnected, it cannot log in or CONNECT, direct messages to it are refused with a reason, and
 * the messages it sent stay in the other side's history under its id.
 */
class AccountEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";
    private static final String NEW_PASSWORD = "better-pass-2";

    @TempDir
    static Path dataDir;

    private static EmbeddedStack stack;
    private static StandaloneSettings settings;
    private static StackClient client;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(dataDir);
        env.put("MQCHAT_PRESENCE_GRACE", "1s");
        settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        client = new StackClient(settings);
        for (String user : List.of("pia", "fay", "ola")) {
            client.register(user, PASSWORD);
        }
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** A connected MQTT 5 device, subscribed to its inbox, that records why it was disconnected and what arrived. */
    static final class Device implements MqttCallback {
        final List<MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();
        final List<String> arrivals = new CopyOnWriteArrayList<>();
        final String token;
        final MqttAsyncClient mqtt;

        Device(String user, String type, String password) throws Exception {
            token = client.login(user, password, type);
            mqtt = connect(user, type, token, this);
            mqtt.subscribe(new MqttSubscription("chat/u/" + user, 1)).waitForCompletion(10_000);
        }

        public void disconnected(MqttDisconnectResponse response) {
            disconnects.add(response);
        }

        public void mqttErrorOccurred(MqttException exception) {
        }

        public void messageArrived(String topic, MqttMessage message) {
            arrivals.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        public void deliveryComplete(IMqttToken token) {
        }

        public void connectComplete(boolean reconnect, String serverURI) {
        }

        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        IMqttToken publish(String topic, String payload) throws MqttException {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken sent = mqtt.publish(topic, m);
            try {
                sent.waitForCompletion(15_000);
            } catch (MqttException refused) {
                // an error PUBACK: read from the token
            }
            return sent;
        }

        /** For connects expected to be refused. */
        static final class Quiet implements MqttCallback {
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

        void close() throws MqttException {
            if (mqtt.isConnected()) {
                mqtt.disconnect().waitForCompletion(5_000);
            }
            mqtt.close();
        }
    }

    private static MqttAsyncClient connect(String user, String type, String token, MqttCallback callback) throws Exception {
        MqttAsyncClient mqtt = new MqttAsyncClient("tcp://127.0.0.1:" + settings.mqttPort(), user + ":" + type,
                new MemoryPersistence());
        mqtt.setCallback(callback);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        mqtt.connect(options).waitForCompletion(10_000);
        return mqtt;
    }

    private static HttpResponse<String> login(String user, String password) throws Exception {
        return client.api("POST", "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceType\":\"web\"}", null);
    }

    @Test
    void aNewPasswordDisconnectsTheOtherLiveDevicesAndKeepsThisOne() throws Exception {
        Device phone = new Device("pia", "phone", PASSWORD);
        Device desktop = new Device("pia", "desktop", PASSWORD);
        Device tablet = new Device("pia", "tablet", PASSWORD);
        try {
            HttpResponse<String> changed = client.api("POST", "/api/v1/users/me/password",
                    "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"" + NEW_PASSWORD + "\"}", phone.token);
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
            assertThat(StackClient.json(changed).get("loggedOut")).extracting(JsonNode::asText)
                    .containsExactly("desktop", "tablet");

            await().atMost(Duration.ofSeconds(10)).until(() -> !desktop.disconnects.isEmpty() && !tablet.disconnects.isEmpty());
            assertThat(desktop.disconnects.get(0).getReturnCode()).isEqualTo(0x98); // administrative action
            assertThat(desktop.disconnects.get(0).getReasonString()).contains("password was changed");
            // the calling device stays connected and its token keeps working
            assertThat(phone.mqtt.isConnected()).isTrue();
            assertThat(phone.disconnects).isEmpty();
            assertThat(client.api("GET", "/api/v1/devices", null, phone.token).statusCode()).isEqualTo(200);
            // the others' tokens are dead, for REST and CONNECT alike
            assertThat(client.api("GET", "/api/v1/devices", null, desktop.token).statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> connect("pia", "desktop", desktop.token, new Device.Quiet()))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
            // only the new password logs in
            assertThat(login("pia", PASSWORD).statusCode()).isEqualTo(401);
            Device back = new Device("pia", "desktop", NEW_PASSWORD);
            assertThat(back.mqtt.isConnected()).isTrue();
            back.close();
        } finally {
            phone.close();
            desktop.close();
            tablet.close();
        }
    }

    @Test
    void aDeletedAccountIsDisconnectedLockedOutAndNoLongerARecipientButItsMessagesStay() throws Exception {
        Device phone = new Device("fay", "phone", PASSWORD);
        Device desktop = new Device("fay", "desktop", PASSWORD);
        Device ola = new Device("ola", "phone", PASSWORD);
        try {
            IMqttToken sent = phone.publish("chat/u/ola", "{\"cid\":\"bye-1\",\"body\":\"remember me\"}");
            assertThat(StackClient.pubackCode(sent)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> ola.arrivals.stream().anyMatch(a -> a.contains("remember me")));

            HttpResponse<String> deleted = client.api("DELETE", "/api/v1/users/me",
                    "{\"password\":\"" + PASSWORD + "\"}", desktop.token);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);

            // every device, the calling one included, is disconnected with the reason
            await().atMost(Duration.ofSeconds(10)).until(() -> !phone.disconnects.isEmpty() && !desktop.disconnects.isEmpty());
            assertThat(phone.disconnects.get(0).getReturnCode()).isEqualTo(0x98);
            assertThat(phone.disconnects.get(0).getReasonString()).contains("account was deleted");
            assertThat(phone.arrivals).anySatisfy(a -> assertThat(a).contains("\"type\":\"kick\"")
                    .contains("account was deleted"));
            // no token, no login, no CONNECT, no new account under the id
            assertThat(client.api("GET", "/api/v1/devices", null, phone.token).statusCode()).isEqualTo(401);
            assertThat(client.history("GET", "/api/v1/conversations", null, phone.token).statusCode()).isEqualTo(401);
            assertThat(login("fay", PASSWORD).statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> connect("fay", "phone", phone.token, new Device.Quiet()))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
            HttpResponse<String> again = client.api("POST", "/api/v1/auth/register",
                    "{\"userId\":\"fay\",\"password\":\"" + NEW_PASSWORD + "\"}", null);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(StackClient.json(again).get("detail").asText()).contains("deleted account");

            // a direct message to the deleted account is refused, saying why
            IMqttToken refused = ola.publish("chat/u/fay", "{\"cid\":\"hello-1\",\"body\":\"are you there?\"}");
            assertThat(StackClient.pubackCode(refused)).isEqualTo(0x90);
            assertThat(StackClient.pubackReason(refused)).startsWith("unknown_recipient:").contains("was deleted");

            // what fay sent stays in ola's history, from fay
            HttpResponse<String> history = client.history("GET", "/api/v1/conversations/d:fay:ola/messages", null,
                    ola.token);
            assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
            assertThat(StackClient.json(history).get("messages"))
                    .anySatisfy(m -> {
                        assertThat(m.get("from").asText()).isEqualTo("fay");
                        assertThat(m.get("body").asText()).isEqualTo("remember me");
                    });
            assertThat(ola.mqtt.isConnected()).isTrue();
        } finally {
            phone.close();
            desktop.close();
            ola.close();
        }
    }
}
