package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceScopes;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Service accounts through a real broker with the extension and Paho clients: several instances connected at once
 * under one account, messages marked as from a service and not echoed to its inbox, scopes and the account's own
 * rate limit refused with reasons, and the inbox shared between instances ({@code $share}), which people may not do.
 */
class ServiceAccountEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5), "pia", "pete", "paul", "pam");

    private static final ServiceScopes ANY = new ServiceScopes(ServiceScopes.Direct.ANY, List.of(),
            ServiceScopes.Groups.MEMBER, List.of(), false);

    @Test
    void instancesConnectAtOnceAndTheirMessagesAreMarkedAndNotEchoed() throws Exception {
        String credential = fx.createService("arena", ANY, "1000/s,burst=1000");
        String token = fx.serviceToken("arena", credential);
        Inbox eu = new Inbox();
        Inbox us = new Inbox();
        MqttAsyncClient euClient = fx.mqtt5Service("arena", "eu-1", token, eu);
        MqttAsyncClient usClient = fx.mqtt5Service("arena", "us-1", token, us);
        assertThat(BrokerFixture.subackCode(euClient, 1, "chat/u/arena")).isEqualTo(1);
        assertThat(BrokerFixture.subackCode(usClient, 1, "chat/u/arena")).isEqualTo(1);
        Inbox pia = new Inbox();
        MqttAsyncClient piaClient = fx.mqtt5OnInbox("pia", "phone", pia);

        IMqttToken ack = publish5(euClient, "chat/u/pia", "{\"cid\":\"round-1\",\"type\":\"text\",\"body\":\"GG\"}");
        assertThat(pubackCode(ack)).isZero();
        ack = publish5(usClient, "chat/u/pia", "{\"cid\":\"round-2\",\"type\":\"text\",\"body\":\"rematch?\"}");
        assertThat(pubackCode(ack)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> pia.chat().size() == 2);
        for (JsonNode m : pia.chat()) {
            assertThat(m.get("from").asText()).isEqualTo("arena");
            assertThat(m.get("service").asBoolean()).isTrue();
            assertThat(m.get("conv").asText()).isEqualTo("d:arena:pia");
        }
        assertThat(pia.chat()).extracting(m -> m.get("dev").asText()).containsExactlyInAnyOrder("eu-1", "us-1");
        // stored with the mark, as history and sync return it
        Document stored = fx.messages().find(new Document("cid", "round-1")).first();
        assertThat(stored.getBoolean(StoreSchema.Message.SERVICE)).isTrue();
        // a person's message carries no mark, and reaches both instances (each subscribed to the whole inbox)
        assertThat(pubackCode(publish5(piaClient, "chat/u/arena", "{\"cid\":\"p-1\",\"body\":\"hi bot\"}"))).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> eu.chat().size() == 1 && us.chat().size() == 1);
        assertThat(eu.chat().get(0).has("service")).isFalse();
        assertThat(eu.chat().get(0).get("from").asText()).isEqualTo("pia");
        // the service's own two messages were not copied to its inbox (a bot would answer itself)
        assertThat(eu.chat()).extracting(m -> m.get("cid").asText()).containsExactly("p-1");
        assertThat(us.chat()).extracting(m -> m.get("cid").asText()).containsExactly("p-1");
        piaClient.disconnect().waitForCompletion(5_000);
        euClient.disconnect().waitForCompletion(5_000);
        usClient.disconnect().waitForCompletion(5_000);
    }

    @Test
    void aServiceTokenIsForItsOwnIdOnlyAndAUserTokenForItsDeviceOnly() throws Exception {
        String credential = fx.createService("quizbot", ANY, "100/s");
        String token = fx.serviceToken("quizbot", credential);
        // under another id: refused (username must be the id in the client id, the token of that id)
        assertThatThrownBy(() -> fx.mqtt5Service("pete", "anything", token, new Inbox()))
                .isInstanceOf(MqttException.class);
        // an instance name that is no id
        assertThatThrownBy(() -> fx.mqtt5Service("quizbot", "Bad Name", token, new Inbox()))
                .isInstanceOf(MqttException.class);
        // a person's token does not open arbitrary instance names
        String userToken = fx.login("pete", "phone");
        assertThatThrownBy(() -> fx.mqtt5Service("pete", "worker-7", userToken, new Inbox()))
                .isInstanceOf(MqttException.class);
        // a rotated credential's token is refused at CONNECT
        fx.logins.removeService("quizbot", credential);
        assertThatThrownBy(() -> fx.mqtt5Service("quizbot", "w1", token, new Inbox()))
                .isInstanceOf(MqttException.class).hasMessageContaining("Not authorized");
    }

    @Test
    void scopesAndTheAccountsOwnLimitAreEnforcedWithReasons() throws Exception {
        String listedCredential = fx.createService("mailer", new ServiceScopes(ServiceScopes.Direct.LISTED,
                List.of("paul"), ServiceScopes.Groups.NONE, List.of(), false), "3/m,burst=3");
        MqttAsyncClient mailer = fx.mqtt5Service("mailer", "main", fx.serviceToken("mailer", listedCredential),
                new Inbox());
        fx.createGroup("guild-9", "pam", "mailer");

        IMqttToken outside = publish5(mailer, "chat/u/pam", "{\"cid\":\"m-1\",\"body\":\"hi\"}");
        assertThat(pubackCode(outside)).isEqualTo(0x87);
        assertThat(pubackReason(outside)).startsWith("not_authorized:").contains("scopes.users").contains("'pam'");
        IMqttToken group = publish5(mailer, "chat/g/guild-9", "{\"cid\":\"m-2\",\"body\":\"hi all\"}");
        assertThat(pubackCode(group)).isEqualTo(0x87);
        assertThat(pubackReason(group)).contains("scopes.groups = none");
        // inside the scopes: 3 at once, then the account's own limit (not the users' setting, which is off here)
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            codes.add(pubackCode(publish5(mailer, "chat/u/paul", "{\"cid\":\"ok-" + i + "\",\"body\":\"news\"}")));
        }
        assertThat(codes).containsExactly(0, 0, 0, 0x97, 0x97);
        assertThat(fx.messages().countDocuments(new Document("from", "mailer"))).isEqualTo(3);

        String noneCredential = fx.createService("silent", new ServiceScopes(ServiceScopes.Direct.NONE, List.of(),
                ServiceScopes.Groups.LISTED, List.of("guild-8"), false), "100/s");
        MqttAsyncClient silent = fx.mqtt5Service("silent", "main", fx.serviceToken("silent", noneCredential),
                new Inbox());
        fx.createGroup("guild-7", "pam", "silent");
        IMqttToken dm = publish5(silent, "chat/u/paul", "{\"cid\":\"s-1\",\"body\":\"x\"}");
        assertThat(pubackCode(dm)).isEqualTo(0x87);
        assertThat(pubackReason(dm)).contains("scopes.direct = none");
        IMqttToken unlisted = publish5(silent, "chat/g/guild-7", "{\"cid\":\"s-2\",\"body\":\"x\"}");
        assertThat(pubackCode(unlisted)).isEqualTo(0x87);
        assertThat(pubackReason(unlisted)).contains("scopes.groupIds").contains("'guild-7'");
        // listed, but membership still counts
        IMqttToken notMember = publish5(silent, "chat/g/guild-8", "{\"cid\":\"s-3\",\"body\":\"x\"}");
        assertThat(pubackCode(notMember)).isIn(0x87, 0x90);
        assertThat(fx.messages().countDocuments(new Document("from", "silent"))).isZero();
        mailer.disconnect().waitForCompletion(5_000);
        silent.disconnect().waitForCompletion(5_000);
    }

    @Test
    void instancesShareTheInboxEachMessageToExactlyOneAndPeopleMayNotShare() throws Exception {
        String credential = fx.createService("dealer", ANY, "1000/s");
        String token = fx.serviceToken("dealer", credential);
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        MqttAsyncClient first = fx.mqtt5Service("dealer", "a", token, a);
        MqttAsyncClient second = fx.mqtt5Service("dealer", "b", token, b);
        assertThat(BrokerFixture.subackCode(first, 1, "$share/tables/chat/u/dealer")).isEqualTo(1);
        assertThat(BrokerFixture.subackCode(second, 1, "$share/tables/chat/u/dealer")).isEqualTo(1);
        // not someone else's inbox, not a malformed share, not presence or responses
        assertThat(BrokerFixture.subackCode(first, 1, "$share/tables/chat/u/pete")).isEqualTo(0x87);
        assertThat(BrokerFixture.subackCode(first, 1, "$share/bad name/chat/u/dealer")).isGreaterThanOrEqualTo(0x80);
        assertThat(BrokerFixture.subackCode(first, 1, "$share/tables/chat/p/pete")).isEqualTo(0x87);
        assertThat(BrokerFixture.subackCode(first, 1, "$share/tables/#")).isEqualTo(0x87);
        // a person may not share, even their own inbox
        MqttAsyncClient pete = fx.mqtt5("pete", "desktop");
        assertThat(BrokerFixture.subackCode(pete, 1, "$share/x/chat/u/pete")).isEqualTo(0x87);

        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String cid = "bet-" + i;
            sent.add(cid);
            assertThat(pubackCode(publish5(pete, "chat/u/dealer", "{\"cid\":\"" + cid + "\",\"body\":\"" + i + "\"}")))
                    .isZero();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> a.chat().size() + b.chat().size() >= 100);
        List<String> got = new ArrayList<>();
        a.chat().forEach(m -> got.add(m.get("cid").asText()));
        b.chat().forEach(m -> got.add(m.get("cid").asText()));
        assertThat(got).hasSize(100).doesNotHaveDuplicates();
        assertThat(new HashSet<>(got)).isEqualTo(sent);
        // how the broker splits them is its choice (it may hand a run to one instance); none lost, none twice is ours

        // an instance goes away: the other one takes everything from then on
        first.disconnect().waitForCompletion(5_000);
        int bHad = b.chat().size();
        for (int i = 0; i < 10; i++) {
            assertThat(pubackCode(publish5(pete, "chat/u/dealer", "{\"cid\":\"after-" + i + "\",\"body\":\"x\"}")))
                    .isZero();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> b.chat().size() == bHad + 10);
        assertThat(b.chat().subList(bHad, bHad + 10)).extracting(m -> m.get("cid").asText())
                .allMatch(cid -> cid.startsWith("after-"));
        pete.disconnect().waitForCompletion(5_000);
        second.disconnect().waitForCompletion(5_000);
    }

    @Test
    void aServiceSharesItsGroupsAndLosesThemWhenRemoved() throws Exception {
        String credential = fx.createService("croupier", ANY, "1000/s");
        String token = fx.serviceToken("croupier", credential);
        fx.createGroup("table-1", "pam", "croupier");
        Inbox a = new Inbox();
        MqttAsyncClient first = fx.mqtt5Service("croupier", "a", token, a);
        // not subscribed by the server: it subscribes itself, here shared
        assertThat(BrokerFixture.subackCode(first, 1, "$share/t/chat/g/table-1")).isEqualTo(1);
        assertThat(BrokerFixture.subackCode(first, 1, "$share/t/chat/g/table-2")).isEqualTo(0x87); // no such membership
        MqttAsyncClient pam = fx.mqtt5("pam", "phone");
        assertThat(pubackCode(publish5(pam, "chat/g/table-1", "{\"cid\":\"t-1\",\"body\":\"deal\"}"))).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.chat().size() == 1);

        // removed from the group (what chat-api does: the membership goes, then the bus tells every node)
        fx.db().getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(new Document("_id", "table-1|croupier"));
        assertThat(subscriptionsOf("croupier:a")).contains("$share/t/chat/g/table-1");
        fx.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .publish(BusMessage.group("table-1", List.of(), List.of("croupier"), null).toJson());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(subscriptionsOf("croupier:a"))
                .noneMatch(f -> f.endsWith("chat/g/table-1")));
        assertThat(pubackCode(publish5(pam, "chat/g/table-1", "{\"cid\":\"t-2\",\"body\":\"again\"}"))).isZero();
        assertThat(fx.messages().countDocuments(new Document("cid", "t-2"))).isEqualTo(1);
        assertThat(a.chat()).extracting(m -> m.get("cid").asText()).containsExactly("t-1");
        pam.disconnect().waitForCompletion(5_000);
        first.disconnect().waitForCompletion(5_000);
    }

    private static List<String> subscriptionsOf(String clientId) throws Exception {
        return Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .map(TopicSubscription::getTopicFilter).toList();
    }

}
