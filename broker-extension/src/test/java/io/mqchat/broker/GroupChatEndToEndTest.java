package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Group chat through a real embedded HiveMQ with the extension and real Paho clients: membership and mute
 * checks at publish time, one stored message per group message, server-side subscriptions of members'
 * devices, and membership changes announced on the bus taking effect at once.
 */
class GroupChatEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "alice", "bob", "carol", "dave", "erin", "mallory");

    private static MongoDatabase db() {
        return fx.db();
    }

    private static void announce(BusMessage message) {
        fx.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE).publish(message.toJson());
    }

    private static void awaitSubscribed(String clientId, String topic, boolean subscribed) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Set<TopicSubscription> subs = Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS);
            return subs.stream().anyMatch(s -> s.getTopicFilter().equals(topic)) == subscribed;
        });
    }




    private static List<JsonNode> inConv(Inbox inbox, String conv) {
        return inbox.chat().stream().filter(n -> n.path("conv").asText().equals(conv)).toList();
    }

    @Test
    void everyMembersDevicesReceiveWithoutSubscribingAndTheMessageIsStoredOnce() throws Exception {
        fx.createGroup("g-team", "alice", "bob", "carol");
        Inbox alicePhone = new Inbox();
        Inbox aliceDesktop = new Inbox();
        Inbox bobWeb = new Inbox();
        Inbox carolTablet = new Inbox();
        Inbox stranger = new Inbox();
        MqttAsyncClient a1 = fx.mqtt5("alice", "phone", alicePhone);
        MqttAsyncClient a2 = fx.mqtt5("alice", "desktop", aliceDesktop);
        MqttAsyncClient b = fx.mqtt5("bob", "web", bobWeb);
        b.subscribe(new MqttSubscription("chat/u/bob", 1)).waitForCompletion(5_000); // request answers come here
        var c = fx.mqtt3("carol", "tablet");
        c.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            public void connectionLost(Throwable cause) {
            }

            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                carolTablet.add(message.getPayload());
            }

            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttAsyncClient m = fx.mqtt5("mallory", "phone", stranger);
        try {
            for (String clientId : List.of("alice:phone", "alice:desktop", "bob:web", "carol:tablet")) {
                awaitSubscribed(clientId, "chat/g/g-team", true);
            }
            for (int i = 1; i <= 3; i++) {
                IMqttToken ack = publish5(a1, "chat/g/g-team", "{\"cid\":\"ga-" + i + "\",\"body\":\"hello " + i + "\"}");
                assertThat(pubackCode(ack)).as("PUBACK %d", i).isLessThan(0x80);
            }
            var carolAck = c.publish("chat/g/g-team", "{\"cid\":\"gc-1\",\"body\":\"hi from 3.1.1\"}".getBytes(), 1, false);
            carolAck.waitForCompletion(10_000);
            for (Inbox inbox : List.of(alicePhone, aliceDesktop, bobWeb, carolTablet)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> inConv(inbox, "g:g-team").size() == 4);
            }
            List<JsonNode> got = inConv(bobWeb, "g:g-team");
            assertThat(got).extracting(n -> n.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(got).extracting(n -> n.get("from").asText()).containsExactly("alice", "alice", "alice", "carol");
            assertThat(got).extracting(n -> n.get("to").asText()).containsOnly("g-team");
            assertThat(got.get(3).get("dev").asText()).isEqualTo("tablet");
            for (Inbox inbox : List.of(alicePhone, aliceDesktop, carolTablet)) {
                assertThat(inConv(inbox, "g:g-team")).extracting(n -> n.get("id").asText())
                        .containsExactlyElementsOf(got.stream().map(n -> n.get("id").asText()).toList());
            }
            assertThat(stranger.received).isEmpty();
            // read diffusion: one document per message, not one per member
            assertThat(fx.messages().countDocuments(Filters.eq("conv", "g:g-team"))).isEqualTo(4);
            // the group summary moved; no per-member summary was written for the readers
            Document summary = db().getCollection(StoreSchema.CONVERSATIONS).find(Filters.eq("_id", "g:g-team")).first();
            await().atMost(Duration.ofSeconds(5)).until(() -> db().getCollection(StoreSchema.CONVERSATIONS)
                    .find(Filters.eq("_id", "g:g-team")).first() != null);
            await().atMost(Duration.ofSeconds(5)).until(() -> ((Number) db().getCollection(StoreSchema.CONVERSATIONS)
                    .find(Filters.eq("_id", "g:g-team")).first().get("lastSeq")).longValue() == 4);
            assertThat(db().getCollection(StoreSchema.CONVERSATIONS).countDocuments(Filters.eq("_id", "bob|g:g-team")))
                    .isZero();

            // the sender recalls a group message over MQTT: every member device hears it on the group topic
            String recalledId = got.get(0).get("id").asText();
            publish5(a1, "chat/req/alice", "{\"op\":\"recall\",\"id\":\"" + recalledId + "\",\"rid\":\"r1\"}");
            for (Inbox inbox : List.of(aliceDesktop, bobWeb, carolTablet)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> inbox.received.stream().anyMatch(n ->
                        "recall".equals(n.path("type").asText()) && recalledId.equals(n.path("id").asText())
                                && "g:g-team".equals(n.path("conv").asText())));
            }
            // another member may not recall it
            publish5(b, "chat/req/bob", "{\"op\":\"recall\",\"id\":\"" + got.get(3).get("id").asText()
                    + "\",\"rid\":\"r2\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.received.stream().anyMatch(n ->
                    "r2".equals(n.path("rid").asText()) && "error".equals(n.path("type").asText())));
            assertThat(fx.messages().find(Filters.eq("_id", got.get(3).get("id").asText())).first())
                    .extracting(d -> d.get("recalledAt")).isNull();
        } finally {
            for (MqttAsyncClient client : List.of(a1, a2, b, m)) {
                client.disconnect().waitForCompletion(5_000);
            }
            c.disconnect().waitForCompletion(5_000);
        }
    }

    @Test
    void nonMembersMutedMembersAndBadMentionsAreRefusedWithAReason() throws Exception {
        fx.createGroup("g-rules", "alice", "bob", "carol");
        MqttAsyncClient alice = fx.mqtt5("alice", "web", new Inbox());
        MqttAsyncClient bob = fx.mqtt5("bob", "phone", new Inbox());
        MqttAsyncClient mallory = fx.mqtt5("mallory", "web", new Inbox());
        try {
            IMqttToken stranger = publish5(mallory, "chat/g/g-rules", "{\"cid\":\"m-1\",\"body\":\"let me in\"}");
            assertThat(pubackCode(stranger)).isEqualTo(0x87);
            assertThat(pubackReason(stranger)).startsWith("not_authorized:").contains("not a member");
            IMqttToken unknown = publish5(alice, "chat/g/g-nowhere", "{\"cid\":\"a-0\",\"body\":\"anyone?\"}");
            assertThat(pubackCode(unknown)).isEqualTo(0x90);
            assertThat(pubackReason(unknown)).startsWith("unknown_recipient:");

            IMqttToken all = publish5(bob, "chat/g/g-rules", "{\"cid\":\"b-1\",\"body\":\"hey\",\"mentions\":[\"all\"]}");
            assertThat(pubackCode(all)).isEqualTo(0x87);
            assertThat(pubackReason(all)).contains("only admins");
            IMqttToken outsider = publish5(bob, "chat/g/g-rules", "{\"cid\":\"b-2\",\"body\":\"hey\",\"mentions\":[\"dave\"]}");
            assertThat(pubackCode(outsider)).isEqualTo(0x99);
            assertThat(pubackReason(outsider)).contains("'dave'");
            IMqttToken named = publish5(bob, "chat/g/g-rules", "{\"cid\":\"b-3\",\"body\":\"@carol\",\"mentions\":[\"carol\"]}");
            assertThat(pubackCode(named)).isLessThan(0x80);
            IMqttToken everyone = publish5(alice, "chat/g/g-rules", "{\"cid\":\"a-1\",\"body\":\"@all\",\"mentions\":[\"all\"]}");
            assertThat(pubackCode(everyone)).as("the owner may mention all").isLessThan(0x80);
            IMqttToken direct = publish5(alice, "chat/u/bob", "{\"cid\":\"a-2\",\"body\":\"hi\",\"mentions\":[\"bob\"]}");
            assertThat(pubackCode(direct)).isEqualTo(0x99);

            // chat-api mutes bob for an hour and announces it: the very next publish is refused
            db().getCollection(StoreSchema.GROUP_MEMBERS).updateOne(Filters.eq("_id", "g-rules|bob"),
                    Updates.set("mutedUntil", System.currentTimeMillis() + 3_600_000));
            announce(BusMessage.group("g-rules", List.of(), List.of(), null));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                IMqttToken muted = publish5(bob, "chat/g/g-rules", "{\"cid\":\"b-m" + System.nanoTime() + "\",\"body\":\"x\"}");
                assertThat(pubackCode(muted)).isEqualTo(0x87);
                assertThat(pubackReason(muted)).startsWith("muted: you are muted in this group until");
            });
            // the whole group muted: members are refused, the owner still speaks
            db().getCollection(StoreSchema.GROUPS).updateOne(Filters.eq("_id", "g-rules"), Updates.set("mutedAll", true));
            db().getCollection(StoreSchema.GROUP_MEMBERS).updateOne(Filters.eq("_id", "g-rules|bob"),
                    Updates.unset("mutedUntil"));
            announce(BusMessage.group("g-rules", List.of(), List.of(), null));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                IMqttToken muted = publish5(bob, "chat/g/g-rules", "{\"cid\":\"b-g" + System.nanoTime() + "\",\"body\":\"x\"}");
                assertThat(pubackReason(muted)).startsWith("muted: the group is muted");
            });
            assertThat(pubackCode(publish5(alice, "chat/g/g-rules", "{\"cid\":\"a-3\",\"body\":\"admins only now\"}")))
                    .isLessThan(0x80);
            List<Document> stored = fx.messages().find(Filters.eq("conv", "g:g-rules")).sort(new Document("seq", 1))
                    .into(new java.util.ArrayList<>());
            // the polls above may store one before the mute reaches the node (that is what they wait for)
            stored.removeIf(d -> d.getString("cid").startsWith("b-m") || d.getString("cid").startsWith("b-g"));
            assertThat(stored).extracting(d -> d.getString("cid")).containsExactly("b-3", "a-1", "a-3");
            assertThat(stored.get(0).getList("mentions", String.class)).containsExactly("carol");
            assertThat(stored.get(1).getList("mentions", String.class)).containsExactly("all");
        } finally {
            for (MqttAsyncClient client : List.of(alice, bob, mallory)) {
                client.disconnect().waitForCompletion(5_000);
            }
        }
    }

    @Test
    void membershipChangesMoveDeliveryAtOnceAndClientSubscriptionsAreMembersOnly() throws Exception {
        fx.createGroup("g-moves", "alice", "bob", "carol");
        Inbox aliceInbox = new Inbox();
        Inbox bobInbox = new Inbox();
        Inbox daveInbox = new Inbox();
        MqttAsyncClient alice = fx.mqtt5("alice", "tablet", aliceInbox);
        MqttAsyncClient bob = fx.mqtt5("bob", "tablet", bobInbox);
        MqttAsyncClient dave = fx.mqtt5("dave", "tablet", daveInbox);
        try {
            bob.subscribe(new MqttSubscription("chat/u/bob", 1)).waitForCompletion(5_000);
            awaitSubscribed("bob:tablet", "chat/g/g-moves", true);
            awaitSubscribed("alice:tablet", "chat/g/g-moves", true);
            IMqttToken denied = dave.subscribe(new MqttSubscription("chat/g/g-moves", 1));
            denied.waitForCompletion(5_000);
            assertThat(denied.getReasonCodes()).containsExactly(0x87);
            assertThat(pubackCode(publish5(alice, "chat/g/g-moves", "{\"cid\":\"before\",\"body\":\"one\"}"))).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> inConv(bobInbox, "g:g-moves").size() == 1);

            // bob removed, dave added: chat-api writes the store, stores the event, announces it
            db().getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq("_id", "g-moves|bob"));
            ChatMessage removed = new ChatMessage("0123456789abcdef01234567", ConversationId.of("g:g-moves"), 2, "alice", "g-moves",
                    System.currentTimeMillis(), ChatMessage.SERVER_DEVICE, "evt-1", ChatMessage.EVENT_TYPE,
                    GroupEvents.memberRemoved("bob"));
            announce(BusMessage.group("g-moves", List.of(), List.of("bob"), new String(removed.toJsonBytes(),
                    StandardCharsets.UTF_8)));
            awaitSubscribed("bob:tablet", "chat/g/g-moves", false);
            fx.addMember("g-moves", "dave", "member");
            announce(BusMessage.group("g-moves", List.of("dave"), List.of(), null));
            awaitSubscribed("dave:tablet", "chat/g/g-moves", true);

            IMqttToken bobSends = publish5(bob, "chat/g/g-moves", "{\"cid\":\"after-b\",\"body\":\"still here?\"}");
            assertThat(pubackCode(bobSends)).isEqualTo(0x87);
            assertThat(pubackCode(publish5(alice, "chat/g/g-moves", "{\"cid\":\"after\",\"body\":\"two\"}"))).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> inConv(daveInbox, "g:g-moves").stream()
                    .anyMatch(n -> n.path("cid").asText().equals("after")));
            await().atMost(Duration.ofSeconds(10)).until(() -> inConv(aliceInbox, "g:g-moves").stream()
                    .anyMatch(n -> n.path("cid").asText().equals("after")));
            // bob learnt of his removal on his inbox and got nothing after it
            await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().stream()
                    .anyMatch(n -> n.path("type").asText().equals("event")));
            assertThat(inConv(bobInbox, "g:g-moves")).extracting(n -> n.path("cid").asText())
                    .containsExactly("before", "evt-1");
            IMqttToken allowed = dave.subscribe(new MqttSubscription("chat/g/g-moves", 1));
            allowed.waitForCompletion(5_000);
            assertThat(allowed.getReasonCodes()).containsExactly(1);
            // group members see each other's presence; users sharing no group (or conversation) do not
            IMqttToken presence = dave.subscribe(new MqttSubscription("chat/p/carol", 1));
            presence.waitForCompletion(5_000);
            assertThat(presence.getReasonCodes()).containsExactly(1);
            MqttAsyncClient erin = fx.mqtt5("erin", "web", new Inbox());
            IMqttToken stranger = erin.subscribe(new MqttSubscription("chat/p/dave", 1));
            stranger.waitForCompletion(5_000);
            assertThat(stranger.getReasonCodes()).containsExactly(0x87);
            erin.disconnect().waitForCompletion(5_000);
            // a reconnecting removed member is not subscribed again
            bob.disconnect().waitForCompletion(5_000);
            bob.close();
            bob = fx.mqtt5("bob", "tablet", bobInbox);
            Set<String> bobTopics = Services.subscriptionStore().getSubscriptions("bob:tablet").get(5, TimeUnit.SECONDS)
                    .stream().map(TopicSubscription::getTopicFilter).collect(Collectors.toSet());
            assertThat(bobTopics).doesNotContain("chat/g/g-moves");
        } finally {
            for (MqttAsyncClient client : List.of(alice, bob, dave)) {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
            }
        }
    }
}
