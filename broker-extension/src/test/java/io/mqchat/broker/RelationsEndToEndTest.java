package io.mqchat.broker;

import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocks, contacts and the privacy settings enforced by a real broker with Paho clients, written to the store as
 * chat-api writes them and announced on the bus as it does: a blocked user's direct messages and typing are
 * refused with a reason and their presence subscription goes at once; the blocker cannot write either until
 * unblocking; "contacts only" admits contacts only; "nobody" hides presence.
 */
class RelationsEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5), "una", "vic", "wes", "xia");

    private static void announce(String user, String other) {
        fx.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .publish(BusMessage.relationChanged(user, other).toJson());
    }

    private static void block(String blocker, String blocked) {
        fx.db().getCollection(StoreSchema.BLOCKS).insertOne(new Document(StoreSchema.Block.ID,
                StoreSchema.Block.id(blocker, blocked)).append(StoreSchema.Block.BLOCKER, blocker)
                .append(StoreSchema.Block.BLOCKED, blocked).append(StoreSchema.Block.AT, new Date()));
        announce(blocker, blocked);
    }

    private static void unblock(String blocker, String blocked) {
        fx.db().getCollection(StoreSchema.BLOCKS).deleteOne(new Document(StoreSchema.Block.ID,
                StoreSchema.Block.id(blocker, blocked)));
        announce(blocker, blocked);
    }

    private static List<String> subscriptionsOf(String clientId) throws Exception {
        return Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .map(TopicSubscription::getTopicFilter).toList();
    }

    private static String dm(String cid) {
        return "{\"cid\":\"" + cid + "\",\"body\":\"hi\"}";
    }

    @Test
    void aBlockRefusesMessagesAndTypingBothWaysAndEndsPresenceAtOnce() throws Exception {
        Inbox una = new Inbox();
        Inbox vic = new Inbox();
        MqttAsyncClient unaPhone = fx.mqtt5OnInbox("una", "phone", una);
        MqttAsyncClient vicPhone = fx.mqtt5OnInbox("vic", "phone", vic);
        // a mutual conversation: each sees the other's presence
        assertThat(pubackCode(publish5(unaPhone, "chat/u/vic", dm("u-1")))).isZero();
        assertThat(pubackCode(publish5(vicPhone, "chat/u/una", dm("v-1")))).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                BrokerFixture.subackCode(unaPhone, 1, "chat/p/vic") == 1);

        block("vic", "una");
        // the bus tells the node a moment later: its first effect is the presence subscription going away
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(subscriptionsOf("una:phone")).doesNotContain("chat/p/vic"));
        IMqttToken refused = publish5(unaPhone, "chat/u/vic", dm("u-2"));
        assertThat(pubackCode(refused)).isEqualTo(0x87);
        assertThat(pubackReason(refused)).isEqualTo("not_authorized: 'vic' does not accept your messages");
        IMqttToken back = publish5(vicPhone, "chat/u/una", dm("v-2"));
        assertThat(pubackCode(back)).isEqualTo(0x87);
        assertThat(pubackReason(back)).contains("you blocked 'una'").contains("DELETE /api/v1/blocks/una");
        assertThat(fx.messages().countDocuments(new Document("cid", new Document("$in", List.of("u-2", "v-2")))))
                .isZero();
        // a new presence subscription is refused too
        assertThat(BrokerFixture.subackCode(unaPhone, 1, "chat/p/vic")).isEqualTo(0x87);
        // typing from the blocked user is dropped, and she is told why
        MqttMessage typing = new MqttMessage("{\"type\":\"typing\"}".getBytes(StandardCharsets.UTF_8));
        typing.setQos(0);
        unaPhone.publish("chat/e/vic", typing).waitForCompletion(5_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> !una.errors().isEmpty());
        assertThat(una.errors().get(0).get("code").asText()).isEqualTo("not_authorized");
        assertThat(vic.received).noneMatch(n -> "signal".equals(n.path("type").asText()));

        unblock("vic", "una");
        await().atMost(Duration.ofSeconds(10)).until(() -> pubackCode(publish5(unaPhone, "chat/u/vic", dm("u-3"))) == 0);
        assertThat(BrokerFixture.subackCode(unaPhone, 1, "chat/p/vic")).isEqualTo(1);
        unaPhone.disconnect().waitForCompletion(5_000);
        vicPhone.disconnect().waitForCompletion(5_000);
    }

    @Test
    void contactsOnlyAdmitsContactsAndNobodyHidesPresence() throws Exception {
        MqttAsyncClient wes = fx.mqtt5("wes", "phone");
        MqttAsyncClient xia = fx.mqtt5("xia", "desktop");
        assertThat(pubackCode(publish5(wes, "chat/u/xia", dm("w-1")))).isZero();
        assertThat(pubackCode(publish5(xia, "chat/u/wes", dm("x-10")))).isZero();

        fx.db().getCollection(StoreSchema.USERS).updateOne(new Document("_id", "xia"),
                new Document("$set", new Document(StoreSchema.User.DIRECT_MESSAGES, "contacts")
                        .append(StoreSchema.User.PRESENCE, "nobody")));
        announce("xia", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> BrokerFixture.subackCode(wes, 1, "chat/p/xia") == 0x87);
        IMqttToken stranger = publish5(wes, "chat/u/xia", dm("w-2"));
        assertThat(pubackCode(stranger)).isEqualTo(0x87);
        assertThat(pubackReason(stranger)).contains("contacts only").contains("POST /api/v1/contacts/requests");
        // xia still sees her own presence, and may write to wes (his setting is the default)
        assertThat(BrokerFixture.subackCode(xia, 1, "chat/p/xia")).isEqualTo(1);
        assertThat(pubackCode(publish5(xia, "chat/u/wes", dm("x-11")))).isZero();

        for (String[] pair : new String[][]{{"xia", "wes"}, {"wes", "xia"}}) {
            fx.db().getCollection(StoreSchema.CONTACTS).insertOne(new Document(StoreSchema.ContactEntry.ID,
                    StoreSchema.ContactEntry.id(pair[0], pair[1])).append(StoreSchema.ContactEntry.USER, pair[0])
                    .append(StoreSchema.ContactEntry.CONTACT, pair[1]).append(StoreSchema.ContactEntry.SINCE, new Date()));
        }
        announce("xia", "wes");
        await().atMost(Duration.ofSeconds(10)).until(() -> pubackCode(publish5(wes, "chat/u/xia", dm("w-3"))) == 0);
        assertThat(BrokerFixture.subackCode(wes, 1, "chat/p/xia")).as("presence: nobody").isEqualTo(0x87);
        wes.disconnect().waitForCompletion(5_000);
        xia.disconnect().waitForCompletion(5_000);
    }
}
