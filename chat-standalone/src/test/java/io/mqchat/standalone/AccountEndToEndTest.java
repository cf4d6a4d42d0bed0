package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

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

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_PRESENCE_GRACE", "1s")
            .users(PASSWORD, "pia", "fay", "ola");
    private static final StackClient client = STACK.client();

    @Test
    void aNewPasswordDisconnectsTheOtherLiveDevicesAndKeepsThisOne() throws Exception {
        StackClient.Device phone = client.device("pia", PASSWORD, "phone");
        StackClient.Device desktop = client.device("pia", PASSWORD, "desktop");
        StackClient.Device tablet = client.device("pia", PASSWORD, "tablet");
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
            assertThatThrownBy(() -> client.new Device("pia", "desktop", desktop.token))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
            // only the new password logs in
            assertThat(client.loginResponse("pia", PASSWORD, "web").statusCode()).isEqualTo(401);
            StackClient.Device back = client.device("pia", NEW_PASSWORD, "desktop");
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
        StackClient.Device phone = client.device("fay", PASSWORD, "phone");
        StackClient.Device desktop = client.device("fay", PASSWORD, "desktop");
        StackClient.Device ola = client.device("ola", PASSWORD, "phone");
        try {
            IMqttToken sent = phone.publish("chat/u/ola", "{\"cid\":\"bye-1\",\"body\":\"remember me\"}");
            assertThat(StackClient.pubackCode(sent)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> ola.arrivals.stream().anyMatch(a -> a.toString().contains("remember me")));
            // ola writes to fay too: the broker now holds fay as a recipient in its cache
            assertThat(StackClient.pubackCode(ola.publish("chat/u/fay", "{\"cid\":\"hi-fay\",\"body\":\"hi\"}"))).isZero();

            HttpResponse<String> deleted = client.api("DELETE", "/api/v1/users/me",
                    "{\"password\":\"" + PASSWORD + "\"}", desktop.token);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);

            // every device, the calling one included, is disconnected with the reason
            await().atMost(Duration.ofSeconds(10)).until(() -> !phone.disconnects.isEmpty() && !desktop.disconnects.isEmpty());
            assertThat(phone.disconnects.get(0).getReturnCode()).isEqualTo(0x98);
            assertThat(phone.disconnects.get(0).getReasonString()).contains("account was deleted");
            assertThat(phone.arrivals).anySatisfy(a -> assertThat(a.toString()).contains("\"type\":\"kick\"")
                    .contains("account was deleted"));
            // no token, no login, no CONNECT, no new account under the id
            assertThat(client.api("GET", "/api/v1/devices", null, phone.token).statusCode()).isEqualTo(401);
            assertThat(client.history("GET", "/api/v1/conversations", null, phone.token).statusCode()).isEqualTo(401);
            assertThat(client.loginResponse("fay", PASSWORD, "web").statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> client.new Device("fay", "phone", phone.token))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
            HttpResponse<String> again = client.api("POST", "/api/v1/auth/register",
                    "{\"userId\":\"fay\",\"password\":\"" + NEW_PASSWORD + "\"}", null);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(StackClient.json(again).get("detail").asText()).contains("deleted account");

            // a direct message to the deleted account is refused, saying why: at once (the deletion reaches the
            // broker over the bus), not when its cached answer expires (30 s)
            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                IMqttToken refused = ola.publish("chat/u/fay", "{\"cid\":\"hello-" + attempt.incrementAndGet()
                        + "\",\"body\":\"are you there?\"}");
                assertThat(StackClient.pubackCode(refused)).isEqualTo(0x90);
                assertThat(StackClient.pubackReason(refused)).startsWith("unknown_recipient:").contains("was deleted");
            });

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
