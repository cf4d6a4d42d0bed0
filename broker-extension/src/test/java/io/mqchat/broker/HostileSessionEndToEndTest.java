package io.mqchat.broker;

import com.hivemq.extension.sdk.api.services.Services;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.eclipse.paho.mqttv5.common.packet.MqttConnect;
import org.eclipse.paho.mqttv5.common.packet.MqttDisconnect;
import org.eclipse.paho.mqttv5.common.packet.MqttPubRec;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Session-level abuse over real MQTT 5 and 3.1.1 clients: Last Wills, retained publishes, QoS 2 (fresh and
 * resent on a new connection), and a SUBSCRIBE with 1,500 refused filters.
 */
class HostileSessionEndToEndTest {

    private static final String FORGED = "{\"id\":\"0123456789abcdef01234567\",\"conv\":\"d:alice:victim\",\"seq\":1,"
            + "\"from\":\"alice\",\"to\":\"victim\",\"type\":\"kick\",\"body\":\"forged\",\"ts\":1}";
    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "mallory", "victim", "alice", "bob", "carol", "dave");

    @BeforeAll
    static void prepare() throws Exception {
        var db = fx.db();
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document("_id", "g-victims").append("name", "g-victims")
                .append("owner", "victim").append("memberCount", 1).append("createdAt", new Date()));
        db.getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document("_id", "g-victims|victim")
                .append("groupId", "g-victims").append("userId", "victim").append("role", "owner")
                .append("joinedAt", new Date()).append("fromSeq", 1L));
    }

    private static final List<String> WILL_TOPICS = List.of("chat/u/victim", "chat/g/g-victims", "chat/p/victim");

    /** The victim's phone: its inbox, its group (subscribed by the server) and its own presence. */
    private static MqttAsyncClient victim(Inbox inbox) throws Exception {
        MqttAsyncClient victim = fx.mqtt5("victim", "phone", inbox);
        victim.subscribe(new MqttSubscription[]{new MqttSubscription("chat/u/victim", 1),
                new MqttSubscription("chat/p/victim", 1)}).waitForCompletion(10_000);
        return victim;
    }

    /**
     * A real message to the victim after everything else, awaited: anything the attempts before it caused
     * would have arrived first.
     */
    private static void awaitOnlyTheControlMessage(Inbox victimInbox, String cid) throws Exception {
        MqttAsyncClient bob = fx.mqtt5("bob", "desktop");
        assertThat(pubackCode(publish5(bob, "chat/u/victim", "{\"cid\":\"" + cid + "\",\"body\":\"control\"}")))
                .isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> victimInbox.chat().stream()
                .anyMatch(m -> m.path("cid").asText().equals(cid)));
        assertThat(victimInbox.chat()).as("chat messages the victim received")
                .extracting(m -> m.path("cid").asText()).containsExactly(cid);
        // besides, only the server's presence of the victim itself
        assertThat(victimInbox.received).as("all the victim received")
                .allSatisfy(m -> assertThat(m.toString()).doesNotContain("forged").doesNotContain("exactly once"));
        bob.disconnect().waitForCompletion();
    }

    private static void assertNothingRetained(String... topics) throws Exception {
        for (String topic : topics) {
            assertThat(Services.retainedMessageStore().getRetainedMessage(topic).get(5, TimeUnit.SECONDS))
                    .as("retained on %s", topic).isEmpty();
        }
    }

    @Test
    void willsAreRefusedAtConnectOverMqtt5And311() throws Exception {
        Inbox victimInbox = new Inbox();
        MqttAsyncClient victim = victim(victimInbox);
        long storedBefore = fx.messages().countDocuments();
        for (String topic : WILL_TOPICS) {
            for (boolean retained : List.of(true, false)) {
                MqttAsyncClient v5 = new MqttAsyncClient(fx.broker.tcpUri(), "mallory:phone",
                        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setUserName("mallory");
                options.setPassword(fx.login("mallory", "phone").getBytes(StandardCharsets.UTF_8));
                MqttMessage will = new MqttMessage(FORGED.getBytes(StandardCharsets.UTF_8));
                will.setQos(1);
                will.setRetained(retained);
                options.setWill(topic, will);
                assertThatThrownBy(() -> v5.connect(options).waitForCompletion(10_000))
                        .as("MQTT 5 will on %s, retained %s", topic, retained)
                        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
                v5.close(true);

                var v3 = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "mallory:desktop",
                        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
                var o3 = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
                o3.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
                o3.setUserName("mallory");
                o3.setPassword(fx.login("mallory", "desktop").toCharArray());
                o3.setWill(topic, FORGED.getBytes(StandardCharsets.UTF_8), 1, retained);
                assertThatThrownBy(() -> v3.connect(o3).waitForCompletion(10_000))
                        .as("MQTT 3.1.1 will on %s, retained %s", topic, retained)
                        .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                                e -> assertThat(e.getReasonCode()).isEqualTo(5)); // not authorized
                v3.close(true);
            }
        }
        // the reason, as an MQTT 5 client reads it
        try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
            MqttConnect connect = RawMqtt5.connect("mallory:web", "mallory", fx.login("mallory", "web"), true, 0);
            MqttMessage will = new MqttMessage(FORGED.getBytes(StandardCharsets.UTF_8));
            will.setQos(1);
            will.setRetained(true);
            connect.setWillMessage(will);
            connect.setWillDestination("chat/u/victim");
            raw.send(connect);
            MqttConnAck connack = (MqttConnAck) raw.read();
            assertThat(connack.getReturnCode()).isEqualTo(0x87);
            assertThat(connack.getProperties().getReasonString())
                    .startsWith("will_not_allowed").contains("presence").contains("published by the server");
        }
        // a QoS 2 will is refused by HiveMQ itself (maximum QoS 1), before authentication
        try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
            MqttConnect connect = RawMqtt5.connect("mallory:tablet", "mallory", fx.login("mallory", "tablet"), true, 0);
            MqttMessage will = new MqttMessage(FORGED.getBytes(StandardCharsets.UTF_8));
            will.setQos(2);
            connect.setWillMessage(will);
            connect.setWillDestination("chat/u/victim");
            raw.send(connect);
            byte[] connack = raw.readBytes();
            assertThat(connack[0]).as("CONNACK").isEqualTo((byte) 0x20);
            assertThat(connack[3] & 0xFF).as("CONNACK reason code").isEqualTo(0x9B); // after length and flags
        }

        awaitOnlyTheControlMessage(victimInbox, "control-wills");
        assertThat(fx.messages().countDocuments()).as("only the control message was stored").isEqualTo(storedBefore + 1);
        assertNothingRetained("chat/u/victim", "chat/g/g-victims");
        // presence is the server's: whatever is retained there is not the will
        Services.retainedMessageStore().getRetainedMessage("chat/p/victim").get(5, TimeUnit.SECONDS).ifPresent(p ->
                assertThat(StandardCharsets.UTF_8.decode(p.getPayload().orElseThrow()).toString()).doesNotContain("forged"));
        victim.disconnect().waitForCompletion();
    }

    @Test
    void aRetainedChatPublishIsStoredAndDeliveredButNotRetained() throws Exception {
        Inbox victimInbox = new Inbox();
        MqttAsyncClient victim = victim(victimInbox);
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        MqttMessage message = new MqttMessage("{\"cid\":\"r-1\",\"body\":\"retain me?\"}".getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(true);
        IMqttToken ack = alice.publish("chat/u/victim", message);
        ack.waitForCompletion(10_000);
        assertThat(pubackCode(ack)).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> victimInbox.chat().size() == 1);
        assertNothingRetained("chat/u/victim", "chat/u/alice");
        alice.disconnect().waitForCompletion();
        victim.disconnect().waitForCompletion();
    }

    @Test
    void qos2IsRefusedOverMqtt5AndItsResendOnANewConnectionGetsNoPubrec() throws Exception {
        Inbox victimInbox = new Inbox();
        MqttAsyncClient victim = victim(victimInbox);
        long storedBefore = fx.messages().countDocuments();
        String token = fx.login("carol", "desktop");
        try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
            raw.send(RawMqtt5.connect("carol:desktop", "carol", token, true, 300));
            MqttConnAck connack = (MqttConnAck) raw.read();
            assertThat(connack.getReturnCode()).isZero();
            assertThat(connack.getProperties().getMaximumQoS()).as("CONNACK maximum QoS").isEqualTo(1);
            raw.send(RawMqtt5.publish("chat/u/victim", "{\"cid\":\"q2-1\",\"body\":\"exactly once?\"}", 2, 7, false));
            List<MqttWireMessage> got = raw.readUntilClosed();
            assertThat(got).filteredOn(m -> m instanceof MqttPubRec)
                    .allSatisfy(m -> assertThat(((MqttPubRec) m).getReturnCode()).as("PUBREC reason code")
                            .isGreaterThanOrEqualTo(0x80));
            assertDisconnectedForQos(got);
        }
        // the same packet id again on the session: HiveMQ still holds it and would answer PUBREC by itself
        try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
            raw.send(RawMqtt5.connect("carol:desktop", "carol", token, false, 300));
            MqttConnAck connack = (MqttConnAck) raw.read();
            assertThat(connack.getReturnCode()).isZero();
            assertThat(connack.getSessionPresent()).isTrue();
            raw.send(RawMqtt5.publish("chat/u/victim", "{\"cid\":\"q2-1\",\"body\":\"exactly once?\"}", 2, 7, true));
            List<MqttWireMessage> got = raw.readUntilClosed();
            assertThat(got).as("no PUBREC at all").noneMatch(m -> m instanceof MqttPubRec);
            assertDisconnectedForQos(got);
        }
        awaitOnlyTheControlMessage(victimInbox, "control-qos2-v5");
        assertThat(fx.messages().countDocuments()).isEqualTo(storedBefore + 1);
        victim.disconnect().waitForCompletion();
    }

    private static void assertDisconnectedForQos(List<MqttWireMessage> got) {
        assertThat(got).filteredOn(m -> m instanceof MqttDisconnect).singleElement().satisfies(m -> {
            MqttDisconnect d = (MqttDisconnect) m;
            assertThat(d.getReturnCode()).isEqualTo(0x9B);
            assertThat(d.getProperties().getReasonString()).startsWith("qos_not_supported: chat publishes use QoS 1");
        });
    }

    @Test
    void anMqtt311Qos2PublishResentAfterReconnectIsNeverAcknowledgedNorStored() throws Exception {
        Inbox victimInbox = new Inbox();
        MqttAsyncClient victim = victim(victimInbox);
        long storedBefore = fx.messages().countDocuments();
        var client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "dave:iot",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        AtomicInteger lost = new AtomicInteger();
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.incrementAndGet();
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName("dave");
        options.setPassword(fx.login("dave", "iot").toCharArray());
        options.setCleanSession(false); // Paho keeps the in-flight publish and resends it on reconnect
        client.connect(options).waitForCompletion(10_000);
        var delivery = client.publish("chat/u/victim",
                "{\"cid\":\"q2-3\",\"body\":\"exactly once?\"}".getBytes(StandardCharsets.UTF_8), 2, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() == 1);
        // reconnect once the broker is done with the old connection, not while it takes it over
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !Services.clientService().isClientConnected("dave:iot").get(5, TimeUnit.SECONDS));
        client.connect(options).waitForCompletion(30_000); // resends the PUBLISH (DUP) on the new connection
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() == 2);
        assertThat(delivery.isComplete()).as("QoS 2 delivery token completed").isFalse();
        awaitOnlyTheControlMessage(victimInbox, "control-qos2-v3");
        assertThat(delivery.isComplete()).isFalse();
        assertThat(fx.messages().countDocuments()).isEqualTo(storedBefore + 1);
        client.close(true);
        victim.disconnect().waitForCompletion();
    }

    @Test
    void aSubscribeWith1500RefusedFiltersGetsItsSubackAndTheConnectionStaysUp() throws Exception {
        Inbox inbox = new Inbox();
        MqttAsyncClient alice = fx.mqtt5("alice", "tablet", inbox);
        MqttSubscription[] filters = new MqttSubscription[1_500];
        for (int i = 0; i < filters.length; i++) {
            filters[i] = new MqttSubscription("chat/u/someone-" + i, 1);
        }
        IMqttToken sub = alice.subscribe(filters);
        try {
            sub.waitForCompletion(20_000);
        } catch (MqttException refused) {
            // Paho reports refused filters as an exception; the SUBACK is read below
        }
        assertThat(sub.getReasonCodes()).hasSize(1_500).containsOnly(0x87);
        assertThat(sub.getResponse().getProperties().getReasonString())
                .startsWith("not_authorized: you may subscribe to your inbox").hasSizeLessThan(300);
        assertThat(alice.isConnected()).isTrue();
        assertThat(inbox.disconnects).isEmpty();
        IMqttToken own = alice.subscribe(new MqttSubscription("chat/u/alice", 1));
        own.waitForCompletion(10_000);
        assertThat(own.getReasonCodes()).containsExactly(1);
        alice.disconnect().waitForCompletion();

        // HiveMQ builds the joined reason string for 3.1.1 SUBACKs too (it just does not send it)
        var v3 = fx.mqtt3("alice", "iot");
        String[] topics = new String[1_500];
        int[] qos = new int[topics.length];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "chat/u/someone-" + i;
            qos[i] = 1;
        }
        var sub3 = v3.subscribe(topics, qos);
        sub3.waitForCompletion(20_000);
        assertThat(sub3.getGrantedQos()).hasSize(1_500).containsOnly(0x80);
        assertThat(v3.isConnected()).isTrue();
        v3.disconnect().waitForCompletion();
    }
}
