package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocks and contacts against the one-process stack with real Paho clients: a block made over REST stops the
 * blocked user's direct messages at the broker with a reason, at once, and unblocking lets them through again; a
 * contact request accepted on one device shows on the user's other device as an event; a device that was offline
 * during three changes asks for them over MQTT and gets exactly those three.
 */
class ContactsEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users(PASSWORD, "amy", "ben", "cyd", "dee", "eve", "fay");
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

    @Test
    void aDeviceOfflineDuringThreeChangesGetsExactlyThoseOverMqtt() throws Exception {
        String deePhone = client.login("dee", PASSWORD, "phone");
        long before = Json.MAPPER.readTree(client.api("GET", "/api/v1/contacts", null, deePhone).body())
                .get("version").asLong();
        // the desktop is offline for these three
        assertThat(client.api("POST", "/api/v1/contacts/requests", "{\"userId\":\"dee\",\"message\":\"eve here\"}",
                client.login("eve", PASSWORD, "phone")).statusCode()).isEqualTo(201);
        assertThat(client.api("POST", "/api/v1/contacts/requests", "{\"userId\":\"dee\"}",
                client.login("fay", PASSWORD, "phone")).statusCode()).isEqualTo(201);
        assertThat(client.api("POST", "/api/v1/contacts/requests/eve/accept", null, deePhone).statusCode())
                .isEqualTo(201);

        try (StackClient.Device desktop = client.new Device("dee", "desktop", client.login("dee", PASSWORD, "desktop"),
                "chat/u/dee")) {
            desktop.publishAccepted("chat/req/dee", "{\"op\":\"contacts\",\"rid\":\"c-1\",\"sinceVersion\":" + before + "}");
            JsonNode answer = desktop.answer("c-1");
            assertThat(answer.get("type").asText()).isEqualTo("contact_changes");
            assertThat(answer.get("version").asLong()).isEqualTo(before + 3);
            assertThat(answer.get("hasMore").asBoolean()).isFalse();
            List<String> changes = new ArrayList<>();
            answer.get("changes").forEach(c -> changes.add(c.get("version").asLong() - before + " "
                    + c.get("change").asText() + " " + c.get("peer").asText()));
            assertThat(changes).containsExactly("1 request_received eve", "2 request_received fay", "3 accepted eve");
            assertThat(answer.get("changes").get(0).get("message").asText()).isEqualTo("eve here");

            // the same answer as REST gives
            JsonNode rest = Json.MAPPER.readTree(client.api("GET", "/api/v1/contacts?sinceVersion=" + before, null,
                    deePhone).body());
            assertThat(rest.get("changes")).hasSize(3);
            assertThat(rest.get("next").asLong()).isEqualTo(answer.get("next").asLong());

            // paged: two, then the third from next
            desktop.publishAccepted("chat/req/dee", "{\"op\":\"contacts\",\"rid\":\"c-2\",\"sinceVersion\":" + before
                    + ",\"limit\":2}");
            JsonNode first = desktop.answer("c-2");
            assertThat(first.get("changes")).hasSize(2);
            assertThat(first.get("hasMore").asBoolean()).isTrue();
            desktop.publishAccepted("chat/req/dee", "{\"op\":\"contacts\",\"rid\":\"c-3\",\"sinceVersion\":"
                    + first.get("next").asLong() + "}");
            JsonNode rest3 = desktop.answer("c-3");
            assertThat(rest3.get("changes")).hasSize(1);
            assertThat(rest3.get("changes").get(0).get("change").asText()).isEqualTo("accepted");

            // a version the list never had: reload
            desktop.publishAccepted("chat/req/dee", "{\"op\":\"contacts\",\"rid\":\"c-4\",\"sinceVersion\":"
                    + (before + 100) + "}");
            JsonNode reload = desktop.answer("c-4");
            assertThat(reload.get("type").asText()).isEqualTo("error");
            assertThat(reload.get("code").asText()).isEqualTo("contacts_reload");
            assertThat(reload.get("reason").asText()).contains("GET /api/v1/contacts");

            // malformed requests are refused in the PUBACK with a reason
            for (String bad : List.of("{\"op\":\"contacts\",\"sinceVersion\":-1}", "{\"op\":\"contacts\"}",
                    "{\"op\":\"contacts\",\"sinceVersion\":\"1\"}", "{\"op\":\"contacts\",\"sinceVersion\":1.5}",
                    "{\"op\":\"contacts\",\"sinceVersion\":0,\"limit\":501}",
                    "{\"op\":\"contacts\",\"sinceVersion\":0,\"user\":\"eve\"}")) {
                IMqttToken refused = desktop.publish("chat/req/dee", bad);
                assertThat(StackClient.pubackCode(refused)).as(bad).isGreaterThanOrEqualTo(0x80);
                assertThat(StackClient.pubackReason(refused)).as(bad).contains("invalid_field");
            }
            // someone else's list cannot be asked for
            IMqttToken other = desktop.publish("chat/req/eve", "{\"op\":\"contacts\",\"sinceVersion\":0}");
            assertThat(StackClient.pubackCode(other)).isEqualTo(0x87);
        }
    }
}
