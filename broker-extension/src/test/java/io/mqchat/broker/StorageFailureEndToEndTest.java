package io.mqchat.broker;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "PUBACK means stored": with MongoDB gone, no send is acknowledged as a success and nothing is delivered; once the
 * store is known to be down, MQTT 5 senders are refused with an error PUBACK instead of a disconnect.
 */
class StorageFailureEndToEndTest {

    private BrokerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new BrokerFixture(Duration.ofMillis(1500));
        fx.createUser("alice");
        fx.createUser("bob");
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    @Test
    void mqtt5SendIsNeverAcknowledgedWhileMongoIsDownAndIsRefusedOnceThatIsKnown() throws Exception {
        Inbox bobInbox = new Inbox();
        MqttAsyncClient bob = fx.mqtt5("bob", "phone", bobInbox);
        bob.subscribe(new MqttSubscription("chat/u/bob", 1)).waitForCompletion(10_000);
        Inbox aliceEvents = new Inbox();
        MqttAsyncClient alice = fx.mqtt5("alice", "phone", aliceEvents);
        // one message while the store is up, so the path is known to work
        send(alice, "{\"cid\":\"up-1\",\"body\":\"stored\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().size() == 1);

        fx.mongo.stop();
        // The first message after the store went down was queued before anyone knew: its PUBACK is held as a
        // success and cannot become an error, so the connection is closed instead, before that PUBACK is written.
        IMqttToken first = send(alice, "{\"cid\":\"down-1\",\"body\":\"not stored\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !alice.isConnected());
        assertThat(first.getResponse()).as("no success PUBACK for a message not stored")
                .satisfiesAnyOf(r -> assertThat(r).isNull(),
                        r -> assertThat(((MqttPubAck) r).getReturnCode()).isGreaterThanOrEqualTo(0x80));
        assertThat(aliceEvents.disconnects).singleElement().satisfies(d -> {
            assertThat(d.getReturnCode()).isEqualTo(0x80);
            assertThat(d.getReasonString()).startsWith("storage_unavailable").contains("down-1");
        });

        // Now the store is known to be down: a publish is refused at once with an error PUBACK, and the
        // connection stays open.
        MqttAsyncClient again = fx.mqtt5("alice", "phone");
        IMqttToken ack = send(again, "{\"cid\":\"down-1\",\"body\":\"not stored\"}");
        MqttPubAck puback = (MqttPubAck) ack.getResponse();
        assertThat(puback.getReturnCode()).isEqualTo(0x80);
        assertThat(puback.getProperties().getReasonString()).startsWith("storage_unavailable");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> bobInbox.chat().size() == 1);
        assertThat(again.isConnected()).isTrue();
    }

    @Test
    void mqtt311SenderIsDisconnectedInsteadOfAcknowledgedWhileMongoIsDown() throws Exception {
        Inbox bobInbox = new Inbox();
        MqttAsyncClient bob = fx.mqtt5("bob", "desktop", bobInbox);
        bob.subscribe(new MqttSubscription("chat/u/bob", 1)).waitForCompletion(10_000);
        var alice = fx.mqtt3("alice", "iot");
        AtomicReference<Throwable> lost = new AtomicReference<>();
        AtomicReference<Boolean> acked = new AtomicReference<>(false);
        alice.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.set(cause == null ? new RuntimeException("lost") : cause);
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                acked.set(true);
            }
        });
        fx.mongo.stop();
        alice.publish("chat/u/bob", "{\"cid\":\"down-3\",\"body\":\"x\"}".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() != null);
        assertThat(acked.get()).as("PUBACK received").isFalse();
        assertThat(bobInbox.chat()).isEmpty();
    }

    private static IMqttToken send(MqttAsyncClient client, String json) throws Exception {
        MqttMessage message = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        IMqttToken token = client.publish("chat/u/bob", message);
        try {
            token.waitForCompletion(15_000);
        } catch (MqttException refused) {
            // the PUBACK is inspected by the caller
        }
        return token;
    }
}
