package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Group chat on the whole stack, as clients use it: a group made over REST, members' devices of different
 * types receiving every member's messages without subscribing, membership events in order with the
 * messages, a muted member refused with a reason, a removed member cut off (live and history), and an
 * offline member recovering 500 group messages by sync.
 */
class GroupChatEndToEndTest {

    private static final String PASSWORD = "group-chat-2026";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users(PASSWORD, "alice", "bob", "carol", "dave");
    private static final StackClient client = STACK.client();

    private static List<Long> seqs(List<JsonNode> messages) {
        return messages.stream().map(n -> n.get("seq").asLong()).toList();
    }

    private static String event(JsonNode n) {
        return "event".equals(n.path("type").asText()) ? n.path("body").path("event").asText() : null;
    }

    @Test
    void aGroupOfThreeAcrossDeviceTypesMutesRemovalAndOfflineRecovery() throws Exception {
        String alicePhone = client.login("alice", PASSWORD, "phone");
        String aliceDesktop = client.login("alice", PASSWORD, "desktop");
        String bobWeb = client.login("bob", PASSWORD, "web");
        String carolTablet = client.login("carol", PASSWORD, "tablet");

        HttpResponse<String> created = client.api("POST", "/api/v1/groups",
                "{\"name\":\"Team\",\"members\":[\"bob\",\"carol\"]}", alicePhone);
        assertThat(created.statusCode()).isEqualTo(201);
        String groupId = StackClient.json(created).get("groupId").asText();
        String topic = "chat/g/" + groupId;
        String conv = "g:" + groupId;

        // devices of three users and four types; none subscribes to the group itself
        try (StackClient.Device a1 = client.new Device("alice", "phone", alicePhone, "chat/u/alice");
             StackClient.Device a2 = client.new Device("alice", "desktop", aliceDesktop, "chat/u/alice");
             StackClient.Device b = client.new Device("bob", "web", bobWeb, "chat/u/bob");
             StackClient.Device c = client.new Device("carol", "tablet", carolTablet, "chat/u/carol")) {
            List<StackClient.Device> all = List.of(a1, a2, b, c);
            // the server subscribes devices right after they connect; a probe shows when all are in
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                a1.publish(topic, "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"probe\"}");
                return all.stream().allMatch(d -> d.probed(conv));
            });

            // every member sends; every device of every member gets every message, the sender's included
            int i = 0;
            for (StackClient.Device sender : List.of(a1, b, c, a2)) {
                i++;
                assertThat(StackClient.pubackCode(sender.publish(topic, "{\"cid\":\"m" + i + "\",\"body\":\"hello " + i + "\"}")))
                        .isLessThan(0x80);
            }
            for (StackClient.Device d : all) {
                await().atMost(Duration.ofSeconds(10)).until(() -> d.in(conv).size() == 4);
            }
            List<JsonNode> seen = b.in(conv);
            assertThat(seen).extracting(n -> n.get("from").asText()).containsExactly("alice", "bob", "carol", "alice");
            assertThat(seen).extracting(n -> n.get("dev").asText()).containsExactly("phone", "web", "tablet", "desktop");
            for (StackClient.Device d : all) {
                assertThat(d.in(conv)).extracting(n -> n.get("id").asText())
                        .containsExactlyElementsOf(seen.stream().map(n -> n.get("id").asText()).toList());
            }

            // a membership change is a stored event, in seq order with the messages around it
            assertThat(client.api("POST", "/api/v1/groups/" + groupId + "/members", "{\"userIds\":[\"dave\"]}",
                    alicePhone).statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.in(conv).stream().anyMatch(n -> event(n) != null));
            assertThat(StackClient.pubackCode(b.publish(topic, "{\"cid\":\"after-add\",\"body\":\"welcome dave\"}"))).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.in(conv).size() == 6);
            List<JsonNode> carolSees = c.in(conv);
            assertThat(seqs(carolSees)).isSorted().doesNotHaveDuplicates();
            assertThat(event(carolSees.get(4))).isEqualTo("members_added");
            assertThat(carolSees.get(4).get("from").asText()).isEqualTo("alice");
            assertThat(carolSees.get(4).get("seq").asLong()).isEqualTo(carolSees.get(3).get("seq").asLong() + 1);
            assertThat(carolSees.get(5).get("cid").asText()).isEqualTo("after-add");

            // carol muted for ten minutes: her next publish is refused with a reason; nothing is stored
            assertThat(client.api("PUT", "/api/v1/groups/" + groupId + "/members/carol/mute",
                    "{\"durationSeconds\":600}", alicePhone).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.in(conv).stream()
                    .anyMatch(n -> "member_muted".equals(event(n))));
            IMqttToken muted = c.publish(topic, "{\"cid\":\"muted-1\",\"body\":\"can I talk?\"}");
            assertThat(StackClient.pubackCode(muted)).isEqualTo(0x87);
            assertThat(StackClient.pubackReason(muted)).startsWith("muted:");
            assertThat(client.api("DELETE", "/api/v1/groups/" + groupId + "/members/carol/mute", null, alicePhone)
                    .statusCode()).isIn(200, 204);

            // bob's device syncs while a member: its cursor holds the group
            JsonNode bobSync = StackClient.json(client.history("GET", "/api/v1/sync", null, bobWeb));
            assertThat(bobSync.get("complete").has(conv)).isTrue();
            String bobCursor = bobSync.get("cursor").asText();

            // bob removed: he is told on his inbox, gets nothing more, and history answers 403
            assertThat(client.api("DELETE", "/api/v1/groups/" + groupId + "/members/bob", null, alicePhone)
                    .statusCode()).isIn(200, 204);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.in(conv).stream()
                    .anyMatch(n -> "member_removed".equals(event(n))));
            int bobHad = b.in(conv).size();
            assertThat(StackClient.pubackCode(a1.publish(topic, "{\"cid\":\"after-remove\",\"body\":\"bob is gone\"}"))).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.in(conv).stream()
                    .anyMatch(n -> "after-remove".equals(n.path("cid").asText())));
            await().atMost(Duration.ofSeconds(10)).until(() -> a2.in(conv).stream()
                    .anyMatch(n -> "after-remove".equals(n.path("cid").asText())));
            assertThat(b.in(conv)).hasSize(bobHad);
            IMqttToken bobSends = b.publish(topic, "{\"cid\":\"bob-late\",\"body\":\"hello?\"}");
            assertThat(StackClient.pubackCode(bobSends)).isEqualTo(0x87);
            HttpResponse<String> bobHistory = client.history("GET", "/api/v1/conversations/" + conv + "/messages", null, bobWeb);
            assertThat(bobHistory.statusCode()).isEqualTo(403);
            assertThat(bobHistory.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).contains("problem+json"));
            // a device that missed the removal learns it from sync: the group is listed as left
            JsonNode afterRemoval = StackClient.json(client.history("GET", "/api/v1/sync?cursor=" + bobCursor, null, bobWeb));
            assertThat(afterRemoval.get("left")).extracting(JsonNode::asText).containsExactly(conv);
            assertThat(afterRemoval.get("messages")).noneMatch(n -> n.get("conv").asText().equals(conv));

            // carol goes offline; alice sends 500 messages; carol's new device recovers all by sync
            c.close();
            Deque<IMqttToken> inFlight = new ArrayDeque<>();
            for (int k = 1; k <= 500; k++) {
                inFlight.add(a1.mqtt.publish(topic, new org.eclipse.paho.mqttv5.common.MqttMessage(
                        ("{\"cid\":\"bulk-" + k + "\",\"body\":\"bulk " + k + "\"}").getBytes(), 1, false, null)));
                if (inFlight.size() >= 20) {
                    inFlight.poll().waitForCompletion(15_000);
                }
            }
            while (!inFlight.isEmpty()) {
                inFlight.poll().waitForCompletion(15_000);
            }
        }
        String carolPhone = client.login("carol", PASSWORD, "phone");
        List<JsonNode> synced = new ArrayList<>();
        String cursor = null;
        while (true) {
            HttpResponse<String> r = client.history("GET", "/api/v1/sync?limit=200"
                    + (cursor == null ? "" : "&cursor=" + cursor), null, carolPhone);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode page = StackClient.json(r);
            page.get("messages").forEach(n -> {
                if (n.get("conv").asText().equals(conv)) {
                    synced.add(n);
                }
            });
            cursor = page.get("cursor").asText();
            if (!page.get("hasMore").asBoolean()) {
                break;
            }
        }
        // everything from the group's creation on, exactly once, in seq order, without holes
        long last = synced.get(synced.size() - 1).get("seq").asLong();
        assertThat(seqs(synced)).containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
        assertThat(event(synced.get(0))).isEqualTo("created");
        List<String> bulk = synced.stream().map(n -> n.path("cid").asText()).filter(cid -> cid.startsWith("bulk-")).toList();
        assertThat(bulk).hasSize(500).doesNotHaveDuplicates();
        assertThat(bulk.get(499)).isEqualTo("bulk-500");
        assertThat(synced.stream().map(GroupChatEndToEndTest::event).filter(java.util.Objects::nonNull).toList())
                .containsSubsequence("created", "members_added", "member_muted", "member_unmuted", "member_removed");
    }

    @Test
    void aUserWhoLetsNobodyAddThemIsInvitedReceivesNothingAndJoinsByAccepting() throws Exception {
        for (String user : List.of("erin", "frank", "gus")) {
            client.register(user, PASSWORD);
        }
        String erinPhone = client.login("erin", PASSWORD, "phone");
        String frankPhone = client.login("frank", PASSWORD, "phone");
        String gusWeb = client.login("gus", PASSWORD, "web");
        assertThat(client.api("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"nobody\"}", erinPhone)
                .statusCode()).isEqualTo(200);

        try (StackClient.Device erin = client.new Device("erin", "phone", erinPhone, "chat/u/erin");
             StackClient.Device frank = client.new Device("frank", "phone", frankPhone, "chat/u/frank");
             StackClient.Device gus = client.new Device("gus", "web", gusWeb, "chat/u/gus")) {
            HttpResponse<String> created = client.api("POST", "/api/v1/groups",
                    "{\"name\":\"Hello\",\"members\":[\"erin\",\"gus\"]}", frankPhone);
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode group = StackClient.json(created);
            assertThat(group.get("added").toString()).isEqualTo("[\"gus\"]");
            assertThat(group.get("invited").toString()).isEqualTo("[\"erin\"]");
            String groupId = group.get("groupId").asText();
            String topic = "chat/g/" + groupId;
            String conv = "g:" + groupId;

            // erin's phone hears of the invitation on its inbox
            await().atMost(Duration.ofSeconds(10)).until(() -> erin.arrivals.stream().anyMatch(n ->
                    "group_invitation".equals(n.path("type").asText()) && groupId.equals(n.path("groupId").asText())));
            // the members' devices are subscribed; erin's is not, and may not subscribe itself
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                frank.publish(topic, "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"probe\"}");
                return frank.probed(conv) && gus.probed(conv);
            });
            assertThat(StackClient.pubackCode(frank.publish(topic, "{\"cid\":\"before\",\"body\":\"hi gus\"}")))
                    .isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> gus.in(conv).stream()
                    .anyMatch(n -> "before".equals(n.path("cid").asText())));
            assertThat(erin.arrivals).noneMatch(n -> conv.equals(n.path("conv").asText()));
            assertThat(erin.subscribe(topic)).containsExactly(0x87);
            assertThat(StackClient.pubackCode(erin.publish(topic, "{\"cid\":\"sneak\",\"body\":\"hi\"}")))
                    .isGreaterThanOrEqualTo(0x80);

            // erin accepts: from now on her phone receives the group
            HttpResponse<String> accepted = client.api("POST", "/api/v1/invitations/" + groupId + "/accept", null,
                    erinPhone);
            assertThat(accepted.statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                frank.publish(topic, "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"probe\"}");
                return erin.probed(conv);
            });
            assertThat(StackClient.pubackCode(frank.publish(topic, "{\"cid\":\"after\",\"body\":\"welcome\"}")))
                    .isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> erin.in(conv).stream()
                    .anyMatch(n -> "after".equals(n.path("cid").asText())));
            assertThat(erin.in(conv)).noneMatch(n -> "before".equals(n.path("cid").asText()));
        }
    }
}
