package io.mqchat.standalone;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocks and contacts against the one-process stack with real Paho clients: a block made over REST stops the
 * blocked user's direct messages at the broker with a reason, at once, and unblocking lets them through again; a
 * contact request accepted on one device shows on the user's other device as an event.
 */
class ContactsEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users(PASSWORD, "amy", "ben", "cyd");
    private static final StackClient client = STACK.client();

    @Test
    void aBlockOverRestRefusesTheBlockedUsersMessagesAtTheBrokerUntilLifted() throws Exception {
        String amyToken = client.login("amy", PASSWORD, "phone");
        try (StackClient.Device ben = client.new Device("ben", "phone", client.login("ben", PASSWORD, "phone"),
                "chat/u/ben")) {
            ben.publishAccepted("chat/u/amy", "{\"cid\":\"b-1\",\"body\":\"hi amy\"}");
            HttpResponse<String> blocked = client.api("PUT", "/api/v1/blocks/ben", null, amyToken);
            assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                IMqttToken refused = ben.publish("chat/u/amy", "{\"cid\":\"b-2\",\"body\":\"hello?\"}");
                return StackClient.pubackCode(refused) == 0x87
                        && StackClient.pubackReason(refused).equals("not_authorized: 'amy' does not accept your messages");
            });
            assertThat(client.api("DELETE", "/api/v1/blocks/ben", null, amyToken).statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    StackClient.pubackCode(ben.publish("chat/u/amy", "{\"cid\":\"b-3\",\"body\":\"back\"}")) == 0);
        }
    }

    @Test
    void aRequestAcceptedOnThePhoneShowsOnTheDesktop() throws Exception {
        String cyPhone = client.login("cyd", PASSWORD, "phone");
        String amyToken = client.login("amy", PASSWORD, "web");
        try (StackClient.Device desktop = client.new Device("cyd", "desktop", client.login("cyd", PASSWORD, "desktop"),
                "chat/u/cyd")) {
            HttpResponse<String> asked = client.api("POST", "/api/v1/contacts/requests",
                    "{\"userId\":\"cyd\",\"message\":\"it's Amy\"}", amyToken);
            assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
            HttpResponse<String> accepted = client.api("POST", "/api/v1/contacts/requests/amy/accept", null, cyPhone);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> desktop.events("contact").stream()
                    .anyMatch(e -> e.get("change").asText().equals("accepted") && e.get("peer").asText().equals("amy")));
            assertThat(desktop.events("contact")).extracting(e -> e.get("change").asText())
                    .startsWith("request_received");
        }
    }
}
