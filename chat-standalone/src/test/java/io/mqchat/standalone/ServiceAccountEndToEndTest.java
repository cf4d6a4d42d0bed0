package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.demo.bot.EchoBot;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A game server from zero against the one-process stack with real Paho clients: an admin creates its service
 * account, the server trades its client credentials for a token, connects two instances that share its inbox,
 * messages a player (marked as from a service, in history too), gets the player's 100 messages split between its
 * instances with none lost or twice, and is cut off on every instance when the admin rotates its secret.
 */
class ServiceAccountEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_ADMINS", "ops").users(PASSWORD, "ops", "ana");
    private static final StackClient client = STACK.client();
    private static final StackClient.Admin ops = client.admin("ops", PASSWORD);

    private static String token(String id, String secret) throws Exception {
        HttpResponse<String> r = client.api("POST", "/api/v1/auth/token", "{\"grant_type\":\"client_credentials\","
                + "\"client_id\":\"" + id + "\",\"client_secret\":\"" + secret + "\"}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StackClient.json(r).get("token").asText();
    }

    @Test
    void aGameServerFromZeroToPlayersAndBack() throws Exception {
        HttpResponse<String> created = ops.call("POST", "/service-accounts",
                "{\"id\":\"tavern\",\"name\":\"Tavern game server\",\"scopes\":{\"direct\":\"any\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = StackClient.json(created).get("clientSecret").asText();
        String token = token("tavern", secret);

        try (StackClient.Device eu = client.new Device("tavern", "eu-1", token, "$share/inst/chat/u/tavern");
             StackClient.Device us = client.new Device("tavern", "us-1", token, "$share/inst/chat/u/tavern");
             StackClient.Device ana = client.new Device("ana", "phone", client.login("ana", PASSWORD, "phone"),
                     "chat/u/ana")) {
            eu.publishAccepted("chat/u/ana", "{\"cid\":\"welcome-1\",\"type\":\"text\",\"body\":\"Welcome, ana!\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> ana.in("d:ana:tavern").size() == 1);
            JsonNode welcome = ana.in("d:ana:tavern").get(0);
            assertThat(welcome.get("from").asText()).isEqualTo("tavern");
            assertThat(welcome.get("service").asBoolean()).isTrue();
            JsonNode history = StackClient.json(client.history("GET",
                    "/api/v1/conversations/d:ana:tavern/messages?limit=10", null, ana.token));
            assertThat(history.toString()).contains("\"service\":true").contains("Welcome, ana!");

            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                sent.add("move-" + i);
                ana.publishAccepted("chat/u/tavern", "{\"cid\":\"move-" + i + "\",\"body\":\"e" + i + "\"}");
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> eu.in("d:ana:tavern").size() + us.in("d:ana:tavern").size() >= 100);
            List<String> got = new ArrayList<>();
            eu.in("d:ana:tavern").forEach(m -> got.add(m.get("cid").asText()));
            us.in("d:ana:tavern").forEach(m -> got.add(m.get("cid").asText()));
            assertThat(got).hasSize(100).doesNotHaveDuplicates();
            assertThat(new HashSet<>(got)).isEqualTo(sent);
            // the split itself is the broker's choice (the broker test shows an instance taking over when one leaves)

            // presence shows both instances online, which is how the rotation finds them on every node
            HttpResponse<String> rotated = ops.call("POST", "/service-accounts/tavern/rotate", null);
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !eu.mqtt.isConnected() && !us.mqtt.isConnected());
            assertThat(eu.disconnects).isNotEmpty();
            assertThat(eu.disconnects.get(0).getReturnCode()).isEqualTo(0x98);
            assertThatThrownBy(() -> client.new Device("tavern", "eu-1", token)).isInstanceOf(MqttException.class);

            String fresh = token("tavern", StackClient.json(rotated).get("clientSecret").asText());
            try (StackClient.Device again = client.new Device("tavern", "eu-1", fresh, "chat/u/tavern")) {
                again.publishAccepted("chat/u/ana", "{\"cid\":\"back-1\",\"body\":\"I'm back\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> ana.in("d:ana:tavern").stream()
                        .anyMatch(m -> m.get("cid").asText().equals("back-1")));
                // disabled: the live connection is closed and no new token is issued
                assertThat(ops.call("POST", "/service-accounts/tavern/disable", "{\"reason\":\"maintenance\"}")
                        .statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> !again.mqtt.isConnected());
            }
        }
    }

    @Test
    void theDemoBotsTwoInstancesAnswerEachMessageOnce() throws Exception {
        HttpResponse<String> created = ops.call("POST", "/service-accounts",
                "{\"id\":\"echo-bot\",\"scopes\":{\"direct\":\"any\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = StackClient.json(created).get("clientSecret").asText();
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EchoBot a = EchoBot.start(client.apiUri(), client.mqttUri(), "echo-bot", secret, "a", "echo", log::add);
             EchoBot b = EchoBot.start(client.apiUri(), client.mqttUri(), "echo-bot", secret, "b", "echo", log::add);
             StackClient.Device ana = client.new Device("ana", "tablet", client.login("ana", PASSWORD, "tablet"),
                     "chat/u/ana")) {
            for (int i = 0; i < 20; i++) {
                ana.publishAccepted("chat/u/echo-bot", "{\"cid\":\"q-" + i + "\",\"body\":\"question " + i + "\"}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> answers(ana).size() >= 20);
            List<JsonNode> answers = answers(ana);
            assertThat(answers).hasSize(20);
            assertThat(answers).extracting(m -> m.get("body").asText()).doesNotHaveDuplicates()
                    .allMatch(text -> text.startsWith("You said: question "));
            assertThat(answers).allMatch(m -> m.get("service").asBoolean());
            assertThat(a.answered() + b.answered()).isEqualTo(20);
            // which instance answers is the broker's choice of shared subscriber
            assertThat(log).noneMatch(line -> line.contains("refused"));
        }
    }

    private static List<JsonNode> answers(StackClient.Device device) {
        return device.in("d:ana:echo-bot").stream().filter(m -> m.get("from").asText().equals("echo-bot")).toList();
    }
}
