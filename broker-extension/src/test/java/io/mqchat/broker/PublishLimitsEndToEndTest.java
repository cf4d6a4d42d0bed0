package io.mqchat.broker;

import com.mongodb.client.model.Filters;
import io.mqchat.common.limits.RateLimit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A flooding sender meets its quota; everyone else's messages go through. Real broker, real clients. */
class PublishLimitsEndToEndTest {

    private static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(Duration.ofSeconds(5), Duration.ofSeconds(1), config -> config.withLimits(
                new BrokerConfig.Limits(RateLimit.parse("5/s,burst=20"), RateLimit.OFF, 5,
                        BrokerConfig.Limits.DEFAULT_INFLIGHT, BrokerConfig.Limits.DEFAULT_INFLIGHT_BYTES)));
        for (String u : List.of("mallory", "trent", "alice", "bob", "oscar")) {
            fx.createUser(u);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static IMqttToken send(MqttAsyncClient client, String topic, String payload, int qos) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        return client.publish(topic, m);
    }

    private static void waitFor(IMqttToken token) {
        try {
            token.waitForCompletion(30_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
            // read from the token
        }
    }

    @Test
    void aFloodingMqtt5SenderGetsQuotaExceededWhileOthersGoThrough() throws Exception {
        MqttAsyncClient mallory = fx.mqtt5("mallory", "phone");
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        List<IMqttToken> flood = new ArrayList<>();
        List<IMqttToken> polite = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            flood.add(send(mallory, "chat/u/bob", "{\"cid\":\"f-" + i + "\",\"body\":\"spam\"}", 1));
            if (i % 20 == 0) {
                polite.add(send(alice, "chat/u/bob", "{\"cid\":\"p-" + i + "\",\"body\":\"hi\"}", 1));
            }
            if (i % 50 == 49) { // stay within the broker's receive maximum (100 in flight)
                flood.forEach(PublishLimitsEndToEndTest::waitFor);
            }
        }
        int accepted = 0;
        int limited = 0;
        for (IMqttToken t : flood) {
            waitFor(t);
            if (pubackCode(t) < 0x80) { // 0x00, or 0x10 when bob is offline
                accepted++;
            } else {
                assertThat(pubackCode(t)).isEqualTo(0x97);
                assertThat(pubackReason(t)).startsWith("rate_limited:").contains("5/s,burst=20").contains("retry in");
                limited++;
            }
        }
        assertThat(accepted).as("the burst and what refilled meanwhile").isBetween(20, 60);
        assertThat(limited).isEqualTo(200 - accepted);
        for (IMqttToken t : polite) {
            waitFor(t);
            assertThat(pubackCode(t)).as("another user's message").isLessThan(0x80);
        }
        assertThat(fx.messages().countDocuments(Filters.eq("from", "mallory"))).isEqualTo(accepted);
        assertThat(mallory.isConnected()).isTrue();
        // a refused message is sent again later with the same cid and stored
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() ->
                pubackCode(publish5(mallory, "chat/u/bob", "{\"cid\":\"f-199\",\"body\":\"spam\"}")) < 0x80);
        mallory.disconnect().waitForCompletion();
        alice.disconnect().waitForCompletion();
    }

    @Test
    void aFloodingMqtt3SenderGetsErrorEventsAndStaysConnected() throws Exception {
        var trent = fx.mqtt3("trent", "desktop");
        Inbox events = new Inbox();
        trent.subscribe("chat/u/trent", 1, (topic, msg) -> events.add(msg.getPayload())).waitForCompletion(10_000);
        for (int i = 0; i < 60; i++) { // one at a time: Paho 3.1.1 allows 10 in flight by default
            trent.publish("chat/u/bob", ("{\"cid\":\"t-" + i + "\",\"body\":\"spam\"}")
                    .getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(30_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.errors().isEmpty());
        assertThat(events.errors()).allSatisfy(e -> assertThat(e.get("code").asText()).isEqualTo("rate_limited"));
        long stored = fx.messages().countDocuments(Filters.eq("from", "trent"));
        assertThat(stored).isBetween(20L, 40L);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.errors().size() == 60 - stored);
        assertThat(trent.isConnected()).as("no disconnect loop").isTrue();
        trent.disconnect().waitForCompletion();
    }

    @Test
    void aQos0FloodIsShedInsteadOfQueuedAndWhatIsStoredIsDelivered() throws Exception {
        Inbox oscarInbox = new Inbox();
        MqttAsyncClient oscar = fx.mqtt5OnInbox("oscar", "phone", oscarInbox);
        Inbox aliceInbox = new Inbox();
        MqttAsyncClient alice = fx.mqtt5OnInbox("alice", "tablet", aliceInbox);

        for (int i = 0; i < 5_000; i++) {
            send(oscar, "chat/u/alice", "{\"cid\":\"q-" + i + "\",\"body\":\"zero\"}", 0);
        }
        // the connection's queue is not held by the store: a QoS 1 message right behind the flood is answered
        IMqttToken after = publish5(oscar, "chat/u/alice", "{\"cid\":\"after\",\"body\":\"one\"}");
        assertThat(pubackCode(after)).isIn(0, 0x10, 0x97);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                aliceInbox.chat().size() == fx.messages().countDocuments(Filters.eq("from", "oscar")));
        long stored = fx.messages().countDocuments(Filters.eq("from", "oscar"));
        assertThat(stored).as("at most the burst and the refill, far from 5,000").isBetween(1L, 80L);
        Set<Long> seqs = new TreeSet<>();
        aliceInbox.chat().forEach(m -> seqs.add(m.get("seq").asLong()));
        assertThat(seqs).as("shed messages took no seq").hasSize((int) stored)
                .allSatisfy(seq -> assertThat(seq).isBetween(1L, stored));
        // one notice per second at most, not one per dropped message
        await().atMost(Duration.ofSeconds(5)).until(() -> !oscarInbox.errors().isEmpty());
        assertThat(oscarInbox.errors().size()).isLessThan(30);
        assertThat(oscar.isConnected()).isTrue();
        oscar.disconnect().waitForCompletion();
        alice.disconnect().waitForCompletion();
    }
}
