package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Typing and other signals through a real broker with the extension and Paho clients: relayed with the sender set
 * by the server to devices that subscribed to nothing but their inbox (MQTT 5 and 3.1.1), never stored, QoS 0 only,
 * limited per connection, and refused with an error event where a message would be refused.
 */
class SignalsEndToEndTest {

    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5),
            "tia", "tom", "tara", "ted", "tess");

    private static void signal(MqttAsyncClient client, String topic, String payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(0);
        client.publish(topic, m).waitForCompletion(5_000);
    }

    private static List<JsonNode> signals(Inbox inbox) {
        return inbox.received.stream().filter(n -> "signal".equals(n.path("type").asText())).toList();
    }

    private static long storedIn(String conv) {
        return fx.messages().countDocuments(new Document(StoreSchema.Message.CONV, conv));
    }

    @Test
    void typingReachesTheAddresseeWithTheSenderSetByTheServerAndIsNeverStored() throws Exception {
        Inbox tom = new Inbox();
        Inbox tia = new Inbox();
        MqttAsyncClient tomPhone = fx.mqtt5OnInbox("tom", "phone", tom);
        MqttAsyncClient tiaPhone = fx.mqtt5OnInbox("tia", "phone", tia);
        // a 3.1.1 device of tom's that subscribed to nothing gets it too (the server subscribed it)
        List<String> tomDesktop = new CopyOnWriteArrayList<>();
        var desktop = fx.mqtt3("tom", "desktop");
        desktop.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            public void connectionLost(Throwable cause) {
            }

            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                tomDesktop.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            signal(tiaPhone, "chat/e/tom", "{\"type\":\"typing\",\"state\":\"start\",\"from\":\"mallory\"}");
            assertThat(signals(tom)).isNotEmpty();
            assertThat(tomDesktop).isNotEmpty();
        });
        JsonNode typing = signals(tom).get(0);
        assertThat(typing.get("signal").asText()).isEqualTo("typing");
        assertThat(typing.get("state").asText()).isEqualTo("start");
        assertThat(typing.get("from").asText()).isEqualTo("tia");
        assertThat(typing.get("dev").asText()).isEqualTo("phone");
        assertThat(typing.get("conv").asText()).isEqualTo("d:tia:tom");
        assertThat(tomDesktop.get(0)).startsWith("chat/e/tom {").contains("\"from\":\"tia\"");
        // the sender's own devices do not get it back, and nothing was stored
        assertThat(signals(tia)).isEmpty();
        assertThat(storedIn("d:tia:tom")).isZero();

        // QoS 1 would promise storage: refused with a reason, not relayed
        IMqttToken qos1 = publish5(tiaPhone, "chat/e/tom", "{\"type\":\"typing\"}");
        assertThat(pubackCode(qos1)).isEqualTo(0x83);
        assertThat(pubackReason(qos1)).startsWith("qos_not_supported:");
        tomPhone.disconnect().waitForCompletion(5_000);
        tiaPhone.disconnect().waitForCompletion(5_000);
        desktop.disconnect().waitForCompletion(5_000);
    }

    @Test
    void badSignalsAreDroppedAndTheSenderIsToldWhy() throws Exception {
        Inbox ted = new Inbox();
        Inbox tara = new Inbox();
        MqttAsyncClient tedPhone = fx.mqtt5OnInbox("ted", "phone", ted);
        MqttAsyncClient taraPhone = fx.mqtt5OnInbox("tara", "phone", tara);
        signal(taraPhone, "chat/e/nobody-here", "{\"type\":\"typing\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !tara.errors().isEmpty());
        assertThat(tara.errors().get(0).get("code").asText()).isEqualTo("unknown_recipient");
        assertThat(tara.errors().get(0).get("topic").asText()).isEqualTo("chat/e/nobody-here");

        // one error event a second at most: the next ones are awaited one by one
        for (String[] bad : new String[][]{{"{\"type\":\"Typing!\"}", "invalid_field"}, {"not json", "malformed_payload"},
                {"{\"type\":\"typing\",\"data\":\"" + "x".repeat(300) + "\"}", "payload_too_large"},
                {"[1,2]", "malformed_payload"}}) {
            int before = tara.errors().size();
            // polled slower than the signal budget refills: these are refused for what they are, not for the rate
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                signal(taraPhone, "chat/e/ted", bad[0]);
                return tara.errors().size() > before;
            });
            assertThat(tara.errors().get(tara.errors().size() - 1).get("code").asText()).as(bad[0]).isEqualTo(bad[1]);
        }
        assertThat(signals(ted)).isEmpty();

        // a flood is cut at the connection: 200 at once from a new connection (a full budget), at most the burst
        // and what refilled meanwhile arrive
        MqttAsyncClient taraTablet = fx.mqtt5("tara", "tablet");
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            signal(taraTablet, "chat/e/ted", "{\"type\":\"typing\",\"data\":" + i + "}");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        await().atMost(Duration.ofSeconds(10)).until(() -> signals(ted).size() >= 20);
        // a fence: a stored message sent after the flood; once it is there, the relayed signals are too
        assertThat(pubackCode(publish5(taraTablet, "chat/u/ted", "{\"cid\":\"fence-1\",\"body\":\"x\"}"))).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> ted.chat().stream()
                .anyMatch(m -> m.get("cid").asText().equals("fence-1")));
        assertThat(signals(ted).size()).isLessThanOrEqualTo(20 + (int) Math.ceil(seconds * 10) + 1).isLessThan(200);
        tedPhone.disconnect().waitForCompletion(5_000);
        taraPhone.disconnect().waitForCompletion(5_000);
        taraTablet.disconnect().waitForCompletion(5_000);
    }

    @Test
    void groupSignalsReachTheMembersOnlyAndDevicesMaySubscribeOnlyTheirOwn() throws Exception {
        fx.createGroup("typing-club", "tess", "ted");
        Inbox tess = new Inbox();
        Inbox ted = new Inbox();
        Inbox tom = new Inbox();
        MqttAsyncClient tessPhone = fx.mqtt5OnInbox("tess", "phone", tess);
        MqttAsyncClient tedTablet = fx.mqtt5OnInbox("ted", "tablet", ted);
        MqttAsyncClient tomTablet = fx.mqtt5OnInbox("tom", "tablet", tom);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            signal(tessPhone, "chat/e/g/typing-club", "{\"type\":\"typing\",\"state\":\"start\"}");
            assertThat(signals(ted)).isNotEmpty();
        });
        assertThat(signals(ted).get(0).get("conv").asText()).isEqualTo("g:typing-club");
        assertThat(signals(ted).get(0).get("from").asText()).isEqualTo("tess");
        // a stranger's signal into the group is refused, and nobody there gets it
        signal(tomTablet, "chat/e/g/typing-club", "{\"type\":\"typing\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !tom.errors().isEmpty());
        assertThat(tom.errors().get(0).get("code").asText()).isEqualTo("not_authorized");
        assertThat(storedIn("g:typing-club")).isZero();
        assertThat(signals(ted)).noneMatch(n -> n.get("from").asText().equals("tom"));

        assertThat(BrokerFixture.subackCode(tomTablet, 0, "chat/e/tom")).isEqualTo(0);
        assertThat(BrokerFixture.subackCode(tomTablet, 0, "chat/e/ted")).isEqualTo(0x87);
        assertThat(BrokerFixture.subackCode(tomTablet, 0, "chat/e/g/typing-club")).isEqualTo(0x87);
        assertThat(BrokerFixture.subackCode(tomTablet, 0, "chat/e/#")).isEqualTo(0x87);
        assertThat(BrokerFixture.subackCode(tedTablet, 0, "chat/e/g/typing-club")).isEqualTo(0);
        tessPhone.disconnect().waitForCompletion(5_000);
        tedTablet.disconnect().waitForCompletion(5_000);
        tomTablet.disconnect().waitForCompletion(5_000);
    }

}
