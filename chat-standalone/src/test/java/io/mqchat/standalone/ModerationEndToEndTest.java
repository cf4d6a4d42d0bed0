package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Moderation by an admin against the real one-process stack with Paho MQTT 5 clients: an admin removes a direct
 * and a group message; every device of the conversation gets the recall event naming the admin and the reason
 * (both sides, several devices each, group members that subscribe to their inbox only); history, the
 * conversation list and sync show it removed; a device that was offline learns of it from sync's recall list
 * (MQTT and REST); the audit and the admin's list of the sender's messages show it.
 */
class ModerationEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_ADMINS", "mod").users(PASSWORD, "mod", "ann", "bob", "cat");
    private static final StackClient client = STACK.client();
    private static final StackClient.Admin mod = client.admin("mod", PASSWORD);

    /** The removal event for message {@code id} on the device, once it has arrived. */
    private static JsonNode removalEvent(StackClient.Device d, String id) {
        await().atMost(Duration.ofSeconds(10)).until(() -> d.arrivals.stream()
                .anyMatch(n -> "recall".equals(n.path("type").asText()) && id.equals(n.path("id").asText())));
        return d.arrivals.stream().filter(n -> "recall".equals(n.path("type").asText()) && id.equals(n.path("id").asText()))
                .findFirst().orElseThrow();
    }

    private static JsonNode remove(String id, String reason) throws Exception {
        HttpResponse<String> r = mod.call("POST", "/messages/" + id + "/remove", "{\"reason\":\"" + reason + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StackClient.json(r);
    }

    private static void assertEvent(JsonNode event, String conv, long seq, String reason) {
        assertThat(event.get("conv").asText()).isEqualTo(conv);
        assertThat(event.get("msgSeq").asLong()).isEqualTo(seq);
        assertThat(event.get("by").asText()).isEqualTo("mod");
        assertThat(event.get("reason").asText()).isEqualTo(reason);
        assertThat(event.get("admin").asBoolean()).isTrue();
        assertThat(event.has("seq")).isFalse();
    }

    @Test
    void anAdminRemovesADirectMessageAndEveryDeviceOfBothSidesAndAnOfflineOneLearnsWhoAndWhy() throws Exception {
        try (StackClient.Device annPhone = client.device("ann", PASSWORD, "phone");
             StackClient.Device annDesktop = client.device("ann", PASSWORD, "desktop");
             StackClient.Device bobWeb = client.device("bob", PASSWORD, "web");
             StackClient.Device bobPhone = client.device("bob", PASSWORD, "phone")) {
            List<StackClient.Device> online = List.of(annPhone, annDesktop, bobWeb, bobPhone);
            assertThat(StackClient.pubackCode(annPhone.publish("chat/u/bob", "{\"cid\":\"x-1\",\"body\":\"nasty words\"}")))
                    .isLessThan(0x80);
            assertThat(StackClient.pubackCode(annPhone.publish("chat/u/bob", "{\"cid\":\"x-2\",\"body\":\"fine words\"}")))
                    .isLessThan(0x80);
            for (StackClient.Device d : online) {
                await().atMost(Duration.ofSeconds(10)).until(() -> d.in("d:ann:bob").size() == 2);
            }
            JsonNode nasty = bobWeb.in("d:ann:bob").get(0);
            String id = nasty.get("id").asText();
            long seq = nasty.get("seq").asLong();

            // bob's tablet syncs (MQTT and REST), then is offline without a session while the admin acts
            String tabletToken = client.login("bob", PASSWORD, "tablet");
            String mqttCursor;
            try (StackClient.Device tablet = client.new Device("bob", "tablet", tabletToken, "chat/u/bob")) {
                tablet.publish("chat/req/bob", "{\"op\":\"sync\",\"rid\":\"t1\"}");
                JsonNode first = tablet.answer("t1");
                assertThat(first.get("messages")).extracting(m -> m.get("id").asText()).contains(id);
                mqttCursor = first.get("cursor").asText();
            }
            String restCursor = StackClient.json(client.history("GET", "/api/v1/sync", null, tabletToken)).get("cursor").asText();

            JsonNode removal = remove(id, "harassment");
            assertThat(removal.get("changed").asBoolean()).isTrue();
            assertThat(removal.get("message").get("removed").asBoolean()).isTrue();

            for (StackClient.Device d : online) {
                assertEvent(removalEvent(d, id), "d:ann:bob", seq, "harassment");
            }

            // history shows it removed (ids and positions kept), the other message as it was
            JsonNode history = StackClient.json(client.history("GET", "/api/v1/conversations/d:ann:bob/messages", null,
                    client.login("ann", PASSWORD, "web"))).get("messages");
            assertThat(history).hasSize(2);
            assertThat(history.get(0).get("id").asText()).isEqualTo(id);
            assertThat(history.get(0).get("seq").asLong()).isEqualTo(seq);
            assertThat(history.get(0).get("type").asText()).isEqualTo("recalled");
            assertThat(history.get(0).get("body").isNull()).isTrue();
            assertThat(history.get(1).get("body").asText()).isEqualTo("fine words");

            // the offline tablet comes back: MQTT sync with its cursor lists the removal with who and why
            try (StackClient.Device tablet = client.new Device("bob", "tablet", tabletToken, "chat/u/bob")) {
                tablet.publish("chat/req/bob", "{\"op\":\"sync\",\"rid\":\"t2\",\"cursor\":\"" + mqttCursor + "\"}");
                JsonNode second = tablet.answer("t2");
                assertThat(second.get("messages")).isEmpty();
                assertThat(second.get("recalls")).hasSize(1);
                JsonNode recall = second.get("recalls").get(0);
                assertThat(recall.get("id").asText()).isEqualTo(id);
                assertThat(recall.get("msgSeq").asLong()).isEqualTo(seq);
                assertThat(recall.get("by").asText()).isEqualTo("mod");
                assertThat(recall.get("reason").asText()).isEqualTo("harassment");
            }
            JsonNode restRecalls = StackClient.json(client.history("GET", "/api/v1/sync?cursor=" + restCursor, null,
                    tabletToken)).get("recalls");
            assertThat(restRecalls).extracting(r -> r.get("id").asText() + " by " + r.get("by").asText() + ": "
                    + r.get("reason").asText()).containsExactly(id + " by mod: harassment");

            // a second removal changes nothing and sends nothing
            long events = bobWeb.arrivals.stream().filter(n -> "recall".equals(n.path("type").asText())).count();
            assertThat(remove(id, "again").get("changed").asBoolean()).isFalse();
            assertThat(StackClient.pubackCode(annPhone.publish("chat/u/bob", "{\"cid\":\"x-3\",\"body\":\"marker\"}")))
                    .isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.in("d:ann:bob").size() == 3);
            assertThat(bobWeb.arrivals.stream().filter(n -> "recall".equals(n.path("type").asText())).count())
                    .isEqualTo(events);

            JsonNode audit = StackClient.json(mod.call("GET", "/audit?target=" + id, null)).get("entries");
            assertThat(audit).extracting(e -> e.get("action").asText() + " by " + e.get("admin").asText() + ": "
                    + e.get("reason").asText()).containsExactly("message_removed by mod: harassment");
        }
    }

    @Test
    void anAdminRemovesAGroupMessageAndEveryMembersDevicesGetTheEventWithoutSubscribingToTheGroup() throws Exception {
        String annToken = client.login("ann", PASSWORD, "tablet");
        HttpResponse<String> created = client.api("POST", "/api/v1/groups",
                "{\"name\":\"Crew\",\"members\":[\"bob\",\"cat\"]}", annToken);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String groupId = StackClient.json(created).get("groupId").asText();
        String topic = "chat/g/" + groupId;
        String conv = "g:" + groupId;
        String catToken = client.login("cat", PASSWORD, "desktop");

        // every device subscribes to its own inbox only: the server adds the group topic
        try (StackClient.Device ann = client.new Device("ann", "tablet", annToken, "chat/u/ann");
             StackClient.Device bob1 = client.device("bob", PASSWORD, "iot");
             StackClient.Device bob2 = client.device("bob", PASSWORD, "desktop");
             StackClient.Device cat = client.new Device("cat", "desktop", catToken, "chat/u/cat")) {
            List<StackClient.Device> all = List.of(ann, bob1, bob2, cat);
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                ann.publish(topic, "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"probe\"}");
                return all.stream().allMatch(d -> d.probed(conv));
            });
            String catCursor = StackClient.json(client.history("GET", "/api/v1/sync", null, catToken)).get("cursor").asText();

            assertThat(StackClient.pubackCode(bob1.publish(topic, "{\"cid\":\"g-1\",\"body\":\"buy cheap stuff\"}")))
                    .isLessThan(0x80);
            for (StackClient.Device d : all) {
                await().atMost(Duration.ofSeconds(10)).until(() -> d.in(conv).stream()
                        .anyMatch(n -> "g-1".equals(n.path("cid").asText())));
            }
            JsonNode spam = cat.in(conv).stream().filter(n -> "g-1".equals(n.path("cid").asText())).findFirst().orElseThrow();
            String id = spam.get("id").asText();

            remove(id, "spam");
            for (StackClient.Device d : all) {
                assertEvent(removalEvent(d, id), conv, spam.get("seq").asLong(), "spam");
            }

            // history, the conversation list and sync show it removed
            JsonNode history = StackClient.json(client.history("GET", "/api/v1/conversations/" + conv + "/messages", null,
                    catToken)).get("messages");
            JsonNode shown = StreamSupport.stream(history.spliterator(), false)
                    .filter(n -> id.equals(n.get("id").asText())).findFirst().orElseThrow();
            assertThat(shown.get("type").asText()).isEqualTo("recalled");
            assertThat(shown.get("body").isNull()).isTrue();
            JsonNode conversations = StackClient.json(client.history("GET", "/api/v1/conversations", null, catToken))
                    .get("conversations");
            JsonNode preview = StreamSupport.stream(conversations.spliterator(), false)
                    .filter(c -> conv.equals(c.get("conv").asText())).findFirst().orElseThrow().get("last");
            assertThat(preview.get("id").asText()).isEqualTo(id);
            assertThat(preview.get("type").asText()).isEqualTo("recalled");
            assertThat(preview.get("text").isNull()).isTrue();
            JsonNode recalls = StackClient.json(client.history("GET", "/api/v1/sync?cursor=" + catCursor, null, catToken))
                    .get("recalls");
            assertThat(recalls).extracting(r -> r.get("id").asText() + " by " + r.get("by").asText() + ": "
                    + r.get("reason").asText()).containsExactly(id + " by mod: spam");

            // the admin's list of what bob sent: newest first, the removed one marked
            JsonNode sent = StackClient.json(mod.call("GET", "/users/bob/messages?limit=5", null))
                    .get("messages");
            assertThat(sent.get(0).get("id").asText()).isEqualTo(id);
            assertThat(sent.get(0).get("removed").asBoolean()).isTrue();
            assertThat(sent.get(0).get("reason").asText()).isEqualTo("spam");
            assertThat(sent.get(0).get("recalledBy").asText()).isEqualTo("mod");
            assertThat(sent).allSatisfy(m -> assertThat(m.get("from").asText()).isEqualTo("bob"));

            // non-admins cannot remove
            HttpResponse<String> refused = client.api("POST", "/api/v1/admin/messages/" + id + "/remove",
                    "{\"reason\":\"x\"}", annToken);
            assertThat(refused.statusCode()).isEqualTo(403);
        }
    }
}
