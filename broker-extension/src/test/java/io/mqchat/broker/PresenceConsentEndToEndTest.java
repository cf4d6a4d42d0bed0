package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.extension.sdk.api.services.Services;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttSubAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence needs both sides' consent, through a real broker with the extension and Paho clients: a
 * stranger's unanswered direct message unlocks nothing, a reply does; a shared group does while both are in
 * it, and leaving it takes the presence subscriptions away that only the group allowed.
 */
class PresenceConsentEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "sam", "vic", "gia", "hal", "ivy");

    private static MongoDatabase db() {
        return fx.db();
    }

    /** The SUBACK of one subscription: its reason code and reason string. */
    private record Suback(int code, String reason) {
    }

    private static Suback subscribe(MqttAsyncClient client, String topic) throws Exception {
        IMqttToken token = client.subscribe(new MqttSubscription(topic, 1));
        try {
            token.waitForCompletion(10_000);
        } catch (MqttException refused) {
            // Paho reports a refused subscription as an exception; the SUBACK is read below
        }
        MqttSubAck ack = (MqttSubAck) token.getResponse();
        return new Suback(ack.getReturnCodes()[0], ack.getProperties().getReasonString());
    }

    private static boolean sentRecorded(String user, String conv) {
        Document d = db().getCollection(StoreSchema.CONVERSATIONS)
                .find(Filters.eq(StoreSchema.Conversation.ID, ConversationSummaries.id(user, conv))).first();
        return d != null && d.get(StoreSchema.Conversation.SENT_SEQ) != null;
    }

    private static List<JsonNode> presenceOf(Inbox inbox, String user) {
        return inbox.received.stream().filter(n -> "presence".equals(n.path("type").asText())
                && user.equals(n.path("user").asText())).toList();
    }

    private static boolean subscribed(String clientId, String topic) throws Exception {
        return Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .anyMatch(s -> s.getTopicFilter().equals(topic));
    }

    @Test
    void aStrangersUnansweredMessageUnlocksNoPresenceButAReplyDoes() throws Exception {
        Inbox samInbox = new Inbox();
        MqttAsyncClient sam = fx.mqtt5("sam", "phone", samInbox);
        MqttAsyncClient vic = fx.mqtt5("vic", "desktop");
        try {
            assertThat(pubackCode(publish5(sam, "chat/u/vic", "{\"cid\":\"s1\",\"body\":\"hi, who are you?\"}")))
                    .isLessThan(0x80);
            assertThat(pubackCode(publish5(sam, "chat/u/vic", "{\"cid\":\"s2\",\"body\":\"hello??\"}"))).isLessThan(0x80);
            // the summary writer has recorded sam's messages: the refusal below is the rule, not a lag
            await().atMost(Duration.ofSeconds(10)).until(() -> sentRecorded("sam", "d:sam:vic"));

            Suback refused = subscribe(sam, "chat/p/vic");
            assertThat(refused.code()).isEqualTo(0x87);
            assertThat(refused.reason()).startsWith("not_authorized:").contains("both of you");
            assertThat(subscribe(vic, "chat/p/sam").code()).as("nor the other way round").isEqualTo(0x87);
            assertThat(presenceOf(samInbox, "vic")).isEmpty();

            // vic answers: now both took part, and each may see the other
            assertThat(pubackCode(publish5(vic, "chat/u/sam", "{\"cid\":\"v1\",\"body\":\"do I know you?\"}")))
                    .isLessThan(0x80); // stored (0x10: stored, nobody subscribed)
            await().atMost(Duration.ofSeconds(10)).until(() -> sentRecorded("vic", "d:sam:vic"));
            assertThat(subscribe(sam, "chat/p/vic").code()).isEqualTo(1);
            assertThat(subscribe(vic, "chat/p/sam").code()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(samInbox, "vic").stream()
                    .anyMatch(p -> p.path("online").asBoolean()));
        } finally {
            sam.disconnect().waitForCompletion();
            vic.disconnect().waitForCompletion();
        }
    }

    @Test
    void leavingTheOnlySharedGroupTakesThePresenceSubscriptionsAway() throws Exception {
        fx.createGroup("g-share", "gia", "hal", "ivy");
        fx.createGroup("g-other", "ivy", "gia");
        Inbox halInbox = new Inbox();
        Inbox ivyInbox = new Inbox();
        MqttAsyncClient gia = fx.mqtt5("gia", "phone");
        MqttAsyncClient hal = fx.mqtt5("hal", "desktop", halInbox);
        MqttAsyncClient ivy = fx.mqtt5("ivy", "desktop", ivyInbox);
        MqttAsyncClient giaTablet = null;
        try {
            assertThat(subscribe(hal, "chat/p/gia").code()).isEqualTo(1);
            assertThat(subscribe(ivy, "chat/p/gia").code()).isEqualTo(1);
            assertThat(subscribe(gia, "chat/p/hal").code()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(halInbox, "gia").stream()
                    .anyMatch(p -> p.path("online").asBoolean()));

            // gia leaves g-share: chat-api deletes the membership, then tells the broker nodes
            db().getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq("_id", "g-share|gia"));
            fx.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                    .publish(BusMessage.group("g-share", List.of(), List.of("gia"), null).toJson());

            await().atMost(Duration.ofSeconds(10)).until(() -> !subscribed("hal:desktop", "chat/p/gia"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !subscribed("gia:phone", "chat/p/hal"));
            assertThat(subscribed("ivy:desktop", "chat/p/gia")).as("ivy still shares g-other with gia").isTrue();

            // gia's tablet comes online: ivy hears it, hal does not any more
            int halBefore = presenceOf(halInbox, "gia").size();
            giaTablet = fx.mqtt5("gia", "tablet");
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(ivyInbox, "gia").stream()
                    .anyMatch(p -> p.path("devices").toString().contains("tablet")));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> presenceOf(halInbox, "gia").size() == halBefore);

            // and asking again is refused
            assertThat(subscribe(hal, "chat/p/gia").code()).isEqualTo(0x87);
            assertThat(subscribe(gia, "chat/p/hal").code()).isEqualTo(0x87);
            assertThat(subscribe(gia, "chat/p/ivy").code()).isEqualTo(1);
        } finally {
            for (MqttAsyncClient c : new MqttAsyncClient[]{gia, hal, ivy, giaTablet}) {
                if (c != null) {
                    c.disconnect().waitForCompletion();
                }
            }
        }
    }
}
