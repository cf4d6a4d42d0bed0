package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Direct messages through a real embedded HiveMQ with the extension, real Paho clients (MQTT 5 and
 * 3.1.1), embedded Redis and mongo-java-server.
 */
class DirectMessageEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "alice", "bob", "carol", "dave", "erin", "frank");

    /** Connects user:device over MQTT 5 and subscribes to its inbox. */
    private static MqttAsyncClient connect5(String user, String device, Inbox inbox) throws Exception {
        return fx.mqtt5OnInbox(user, device, inbox);
    }

    private static Inbox subscribe3(org.eclipse.paho.client.mqttv3.MqttAsyncClient client, String user) throws Exception {
        Inbox inbox = new Inbox();
        client.subscribe("chat/u/" + user, 1, (topic, msg) -> inbox.add(msg.getPayload())).waitForCompletion(10_000);
        return inbox;
    }

    @Test
    void directMessagesArriveEnrichedInOrderAndAreStored() throws Exception {
        Inbox aliceInbox = new Inbox();
        MqttAsyncClient alice = connect5("alice", "phone", aliceInbox);
        var bob = fx.mqtt3("bob", "desktop");
        Inbox bobInbox = subscribe3(bob, "bob");

        for (int i = 1; i <= 3; i++) {
            IMqttToken ack = publish5(alice, "chat/u/bob", DirectMessagePromises.hello(i));
            assertThat(pubackCode(ack)).as("PUBACK of message %d", i).isLessThan(0x80);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().size() == 3);
        List<JsonNode> got = bobInbox.chat();
        DirectMessagePromises.assertHellosDelivered(got);
        // the sender's own inbox gets the same stored messages (that is how the sending device learns seq)
        await().atMost(Duration.ofSeconds(10)).until(() -> aliceInbox.chat().size() == 3);
        assertThat(aliceInbox.chat()).extracting(n -> n.get("id").asText())
                .containsExactlyElementsOf(got.stream().map(n -> n.get("id").asText()).toList());

        DirectMessagePromises.assertHellosStored(fx.messages(), got);
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
    }

    @Test
    void mqtt311SenderAndPlainTextPayloads() throws Exception {
        var dave = fx.mqtt3("dave", "iot");
        Inbox erinInbox = new Inbox();
        MqttAsyncClient erin = connect5("erin", "tablet", erinInbox);
        Inbox daveInbox = subscribe3(dave, "dave");
        dave.publish("chat/u/erin", "{\"cid\":\"d-1\",\"body\":\"from a 3.1.1 client\"}".getBytes(StandardCharsets.UTF_8), 1, false)
                .waitForCompletion(10_000);
        dave.publish("chat/u/erin", "just text".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> erinInbox.chat().size() == 2);
        assertThat(erinInbox.chat()).extracting(n -> n.get("body").asText())
                .containsExactly("from a 3.1.1 client", "just text");
        assertThat(erinInbox.chat()).extracting(n -> n.get("seq").asLong()).containsExactly(1L, 2L);
        await().atMost(Duration.ofSeconds(10)).until(() -> daveInbox.chat().size() == 2);
        dave.disconnect().waitForCompletion();
        erin.disconnect().waitForCompletion();
    }

    @Test
    void aCidReusedForAnotherRecipientIsAnsweredWithTheOriginalWhichTheNewRecipientNeverSees() throws Exception {
        Inbox daveInbox = new Inbox();
        MqttAsyncClient dave = fx.mqtt5OnInbox("dave", "bot", daveInbox);
        MqttAsyncClient carol = connect5("carol", "bot", new Inbox());
        assertThat(pubackCode(publish5(carol, "chat/u/erin", "{\"cid\":\"reused-1\",\"body\":\"for erin\"}")))
                .isLessThan(0x80);
        // the same cid to dave: the original (to erin) answers it, and dave gets nothing
        IMqttToken second = publish5(carol, "chat/u/dave", "{\"cid\":\"reused-1\",\"body\":\"for dave\"}");
        assertThat(pubackCode(second)).isLessThan(0x80);
        assertThat(second.getResponse().getProperties().getUserProperties())
                .anySatisfy(p -> assertThat(p.getKey() + "=" + p.getValue()).startsWith("seq="));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> daveInbox.chat().isEmpty());
        assertThat(fx.messages().countDocuments(Filters.and(Filters.eq("from", "carol"), Filters.eq("cid", "reused-1"))))
                .isEqualTo(1);
        carol.disconnect().waitForCompletion();
        dave.disconnect().waitForCompletion();
    }

    @Test
    void aRetriedCidIsStoredOnceAndAnsweredWithTheOriginal() throws Exception {
        Inbox carolInbox = new Inbox();
        MqttAsyncClient carol = connect5("carol", "phone", carolInbox);
        String payload = "{\"cid\":\"retry-1\",\"body\":\"once\"}";
        assertThat(pubackCode(publish5(carol, "chat/u/dave", payload))).isLessThan(0x80);
        assertThat(pubackCode(publish5(carol, "chat/u/dave", payload))).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> carolInbox.chat().size() == 2);
        DirectMessagePromises.assertRetryStoredOnce(carolInbox.chat(), fx.messages(), "carol", "retry-1");
        carol.disconnect().waitForCompletion();
    }

    @Test
    void invalidPayloadsAreRefusedWithReasonCodesAndNotStored() throws Exception {
        MqttAsyncClient frank = fx.mqtt5("frank", "desktop");
        long before = fx.messages().countDocuments();
        record Case(String topic, String payload, int code, String reasonPrefix) {
        }
        List<Case> cases = List.of(
                new Case("chat/u/alice", "{\"cid\":\"m1\",\"body\":", 0x99, "malformed_payload"),
                new Case("chat/u/alice", "{\"body\":\"no cid\"}", 0x99, "missing_cid"),
                new Case("chat/u/alice", "{\"cid\":\"m2\",\"from\":\"alice\",\"body\":\"forged\"}", 0x87, "forged_field"),
                new Case("chat/u/alice", "{\"cid\":\"m3\",\"seq\":99,\"body\":\"x\"}", 0x87, "forged_field"),
                new Case("chat/u/alice", "{\"cid\":\"m4\",\"body\":{\"$gt\":\"\"},\"type\":\"text\"}", 0x99, "invalid_field"),
                new Case("chat/u/alice", "x".repeat(70_000), 0x99, "payload_too_large"),
                new Case("chat/u/nobody", "{\"cid\":\"m5\",\"body\":\"hello?\"}", 0x90, "unknown_recipient"),
                new Case("chat/g/some-group", "{\"cid\":\"m6\",\"body\":\"hello?\"}", 0x90, "unknown_recipient"));
        for (Case c : cases) {
            IMqttToken ack = publish5(frank, c.topic(), c.payload());
            assertThat(pubackCode(ack)).as(c.payload().substring(0, Math.min(40, c.payload().length())))
                    .isEqualTo(c.code());
            assertThat(pubackReason(ack)).startsWith(c.reasonPrefix());
        }
        assertThat(fx.messages().countDocuments()).isEqualTo(before);
        assertThat(frank.isConnected()).isTrue();
        frank.disconnect().waitForCompletion();
    }

    @Test
    void mqtt311ClientsGetAnErrorEventForInvalidPayloads() throws Exception {
        var bob = fx.mqtt3("bob", "web");
        Inbox inbox = subscribe3(bob, "bob");
        long before = fx.messages().countDocuments();
        bob.publish("chat/u/alice", "{\"cid\":\"bad-1\",\"from\":\"alice\",\"body\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                1, false).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> !inbox.errors().isEmpty());
        JsonNode error = inbox.errors().get(0);
        assertThat(error.get("code").asText()).isEqualTo("forged_field");
        assertThat(error.get("cid").asText()).isEqualTo("bad-1");
        assertThat(error.get("topic").asText()).isEqualTo("chat/u/alice");
        assertThat(fx.messages().countDocuments()).isEqualTo(before);
        assertThat(bob.isConnected()).isTrue();
        bob.disconnect().waitForCompletion();
    }

    @Test
    void connectWithoutAValidTokenForThatClientIdIsRefused() throws Exception {
        String replacedToken = fx.login("alice", "phone");
        String goodToken = fx.login("alice", "phone"); // the newer login revokes replacedToken
        record Attempt(String clientId, String user, String password, int reasonCode) {
        }
        List<Attempt> attempts = List.of(
                new Attempt("alice:phone", null, null, 0x87),                // anonymous
                new Attempt("alice:phone", "alice", "not-a-token", 0x86),     // wrong token
                new Attempt("alice:phone", "alice", replacedToken, 0x87),     // replaced by a newer login
                new Attempt("alice:desktop", "alice", goodToken, 0x87),       // token for another device
                new Attempt("bob:phone", "bob", goodToken, 0x87),             // token for another user
                new Attempt("alice:phone", "bob", goodToken, 0x86),           // username differs from client id
                new Attempt("alice", "alice", goodToken, 0x85),               // client id without device type
                new Attempt("alice:toaster", "alice", goodToken, 0x85),       // unknown device type
                new Attempt("alice:phone", "alice",
                        new io.mqchat.common.auth.AccessTokens(BrokerFixture.SECRET,
                                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-2)))
                                .issue("alice", "phone", Duration.ofHours(1)), 0x86)); // expired
        for (Attempt a : attempts) {
            MqttAsyncClient client = new MqttAsyncClient(fx.broker.tcpUri(), a.clientId(),
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            if (a.user() != null) {
                options.setUserName(a.user());
                options.setPassword(a.password().getBytes(StandardCharsets.UTF_8));
            }
            assertThatThrownBy(() -> client.connect(options).waitForCompletion(10_000))
                    .as(a.toString())
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(a.reasonCode()));
            client.close(true);
        }
        // and MQTT 3.1.1 with a bad token
        var v3 = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "alice:phone",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        var o3 = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o3.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o3.setUserName("alice");
        o3.setPassword("garbage".toCharArray());
        assertThatThrownBy(() -> v3.connect(o3).waitForCompletion(10_000))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(4)); // bad user name or password
        v3.close(true);
    }

    @Test
    void subscribingToAnotherUsersInboxOrWildcardsIsRefused() throws Exception {
        MqttAsyncClient alice = fx.mqtt5("alice", "web");
        for (String filter : List.of("chat/u/bob", "chat/u/+", "#", "chat/#", "$share/g/chat/u/bob")) {
            IMqttToken token = alice.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription(filter, 1));
            try {
                token.waitForCompletion(10_000);
            } catch (MqttException ignored) {
                // read the SUBACK below
            }
            assertThat(token.getReasonCodes()).as(filter).containsExactly(0x87);
        }
        var bob = fx.mqtt3("bob", "tablet");
        var sub = bob.subscribe("chat/u/alice", 1);
        sub.waitForCompletion(10_000);
        assertThat(sub.getGrantedQos()).containsExactly(0x80);
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
    }

    @Test
    void publishingToNonChatTopicsIsRefusedWithoutDisconnecting() throws Exception {
        for (String topic : List.of("chat/p/alice", "chat/sys/broadcast", "random/topic")) {
            Inbox events = new Inbox();
            MqttAsyncClient alice = fx.mqtt5("alice", "desktop", events);
            IMqttToken ack = publish5(alice, topic, "{\"cid\":\"x\",\"body\":\"x\"}");
            assertThat(events.disconnects).as(topic).isEmpty();
            assertThat(pubackCode(ack)).as(topic).isEqualTo(0x90);
            assertThat(pubackReason(ack)).startsWith("invalid_topic");
            alice.disconnect().waitForCompletion();
        }
    }
}
