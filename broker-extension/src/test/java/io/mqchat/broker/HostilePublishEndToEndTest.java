package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.store.MessageDocuments;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Payloads an attacker sends (regressions of what broke the "PUBACK means stored" promise), through the real
 * broker with the extension and real Paho clients.
 */
class HostilePublishEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "alice", "bob", "carol", "dave", "erin");

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    @Test
    void jsonNestedTooDeeplyIsRefusedWithAReasonAndNotAcknowledged() throws Exception {
        MqttAsyncClient alice = fx.mqtt5("alice", "tablet");
        long before = fx.messages().countDocuments();
        IMqttToken ack = publish5(alice, "chat/u/bob", "{\"cid\":\"deep-1\",\"type\":\"card\",\"body\":" + nested(40) + "}");
        assertThat(pubackCode(ack)).isEqualTo(0x99);
        assertThat(pubackReason(ack)).startsWith("malformed_payload:").contains("nested at most 32");
        IMqttToken longNumber = publish5(alice, "chat/u/bob",
                "{\"cid\":\"deep-2\",\"type\":\"card\",\"body\":" + "9".repeat(5_000) + "}");
        assertThat(pubackCode(longNumber)).isEqualTo(0x99);
        assertThat(fx.messages().countDocuments()).isEqualTo(before);
        // what fits is stored
        IMqttToken fits = publish5(alice, "chat/u/bob", "{\"cid\":\"deep-3\",\"type\":\"card\",\"body\":" + nested(30) + "}");
        assertThat(pubackCode(fits)).isLessThan(0x80);
        alice.disconnect().waitForCompletion();
    }

    @Test
    void oddBodiesAreStoredAndReadBackExactlyAsTheyWereDelivered() throws Exception {
        Inbox bobInbox = new Inbox();
        MqttAsyncClient bob = fx.mqtt5OnInbox("bob", "phone", bobInbox);
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        String[] bodies = {"{\"\\u0000\":1}", "{\"$numberLong\":\"1\"}", "{\"$regex\":\"^a\",\"$options\":\"i\"}",
                "{\"$binary\":{\"base64\":\"AA==\",\"subType\":\"00\"}}", "{\"x.y\":[{\"$date\":0}]}", "1e400",
                "\"\\u0000 nul in a string\""};
        for (int i = 0; i < bodies.length; i++) {
            IMqttToken ack = publish5(alice, "chat/u/bob",
                    "{\"cid\":\"odd-" + i + "\",\"type\":\"card\",\"body\":" + bodies[i] + "}");
            assertThat(pubackCode(ack)).as(bodies[i]).isLessThan(0x80);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().size() >= bodies.length);
        for (JsonNode delivered : bobInbox.chat()) {
            Document stored = fx.messages().find(Filters.eq("_id", delivered.get("id").asText())).first();
            // history and sync read the document through the same mapping
            JsonNode read = Json.MAPPER.readTree(MessageDocuments.fromDocument(stored).toJsonBytes());
            assertThat(Json.MAPPER.writeValueAsString(read)).isEqualTo(Json.MAPPER.writeValueAsString(delivered));
        }
        assertThat(bobInbox.chat()).extracting(m -> m.get("body").toString())
                .contains("{\"$numberLong\":\"1\"}", "{\"\\u0000\":1}");
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
    }

    @Test
    void oneSendersOddBodiesNeverFailAnotherSendersMessages() throws Exception {
        MqttAsyncClient carol = fx.mqtt5("carol", "phone");
        MqttAsyncClient dave = fx.mqtt5("dave", "phone");
        // both send in windows of 50 in flight (under the broker's receive maximum), interleaved
        for (int window = 0; window < 6; window++) {
            List<IMqttToken> carols = new ArrayList<>();
            List<IMqttToken> daves = new ArrayList<>();
            for (int i = window * 50; i < (window + 1) * 50; i++) {
                carols.add(send(carol, "chat/u/erin", "{\"cid\":\"c-" + i + "\",\"body\":\"hello " + i + "\"}"));
                if (i % 3 == 0) {
                    daves.add(send(dave, "chat/u/erin", "{\"cid\":\"d-" + i + "\",\"type\":\"x\",\"body\":{\"\\u0000\":"
                            + i + ",\"$where\":\"1\",\"a.b\":" + nested(20) + "}}"));
                }
            }
            for (IMqttToken t : carols) {
                waitFor(t);
                assertThat(pubackCode(t)).isLessThan(0x80);
            }
            for (IMqttToken t : daves) {
                waitFor(t);
                assertThat(pubackCode(t)).isLessThan(0x80);
            }
        }
        assertThat(fx.messages().countDocuments(Filters.eq("from", "carol"))).isEqualTo(300);
        assertThat(fx.messages().countDocuments(Filters.eq("from", "dave"))).isEqualTo(100);
        carol.disconnect().waitForCompletion();
        dave.disconnect().waitForCompletion();
    }

    @Test
    void aRetriedCidIsAnsweredWithTheOriginalAndLeavesNoHole() throws Exception {
        MqttAsyncClient phone = fx.mqtt5("erin", "phone");
        IMqttToken first = publish5(phone, "chat/u/alice", "{\"cid\":\"retry-1\",\"body\":\"once\"}");
        assertThat(pubackCode(first)).isLessThan(0x80);
        phone.disconnect().waitForCompletion();
        // the PUBACK was "lost": the client reconnects and sends the same cid again, from another device too
        MqttAsyncClient again = fx.mqtt5("erin", "phone");
        MqttAsyncClient tablet = fx.mqtt5("erin", "tablet");
        assertThat(pubackCode(publish5(again, "chat/u/alice", "{\"cid\":\"retry-1\",\"body\":\"once\"}"))).isLessThan(0x80);
        assertThat(pubackCode(publish5(tablet, "chat/u/alice", "{\"cid\":\"retry-1\",\"body\":\"once\"}"))).isLessThan(0x80);
        assertThat(pubackCode(publish5(again, "chat/u/alice", "{\"cid\":\"retry-2\",\"body\":\"next\"}"))).isLessThan(0x80);
        List<Long> seqs = new ArrayList<>();
        fx.messages().find(Filters.eq("conv", "d:alice:erin")).forEach(d -> seqs.add(((Number) d.get("seq")).longValue()));
        assertThat(seqs).containsExactlyInAnyOrder(1L, 2L);
        long counter = Long.parseLong(fx.redisson.<String>getBucket("mqchat:seq:{d:alice:erin}",
                org.redisson.client.codec.StringCodec.INSTANCE).get());
        assertThat(counter).as("no seq was taken by the retries").isEqualTo(2);
        again.disconnect().waitForCompletion();
        tablet.disconnect().waitForCompletion();
    }

    private static IMqttToken send(MqttAsyncClient client, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return client.publish(topic, m);
    }

    private static void waitFor(IMqttToken token) {
        try {
            token.waitForCompletion(30_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
            // read from the token
        }
    }
}
