package io.mqchat.broker;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retained messages left on chat topics (by an older version, a will, another extension) are gone after a start. */
class RetainedCleanupEndToEndTest {

    private static final List<String> FORBIDDEN = List.of("chat/u/bob", "chat/g/g-old", "chat/req/bob",
            "chat/res/bob/phone");
    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5), "alice", "bob");

    private static void retain(String topic, String payload) throws Exception {
        Services.retainedMessageStore().addOrReplace(Builders.retainedPublish().topic(topic).qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8))).build()).get(5, TimeUnit.SECONDS);
    }

    private static boolean isRetained(String topic) throws Exception {
        return Services.retainedMessageStore().getRetainedMessage(topic).get(5, TimeUnit.SECONDS).isPresent();
    }

    @Test
    void retainedMessagesOnChatTopicsAreRemovedAtStartAndPresenceStays() throws Exception {
        for (String topic : FORBIDDEN) {
            retain(topic, "{\"from\":\"alice\",\"seq\":1,\"body\":\"stale\"}");
        }
        retain("chat/p/nobody", "{\"type\":\"presence\",\"user\":\"nobody\",\"online\":false}");
        for (String topic : FORBIDDEN) {
            assertThat(isRetained(topic)).as("retained before the restart: %s", topic).isTrue();
        }

        fx.restartBroker(); // same data folder: HiveMQ keeps retained messages on disk

        for (String topic : FORBIDDEN) {
            assertThat(isRetained(topic)).as("retained after the restart: %s", topic).isFalse();
        }
        assertThat(isRetained("chat/p/nobody")).as("presence is retained on purpose").isTrue();

        Inbox bobInbox = new Inbox();
        MqttAsyncClient bob = fx.mqtt5("bob", "phone", bobInbox);
        bob.subscribe(new MqttSubscription[]{new MqttSubscription("chat/u/bob", 1),
                new MqttSubscription("chat/res/bob/phone", 1)}).waitForCompletion(10_000);
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        assertThat(pubackCode(publish5(alice, "chat/u/bob", "{\"cid\":\"fresh\",\"body\":\"new\"}"))).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> !bobInbox.chat().isEmpty());
        assertThat(bobInbox.received).as("what the new subscriber got").singleElement()
                .satisfies(m -> assertThat(m.path("cid").asText()).isEqualTo("fresh"));
        alice.disconnect().waitForCompletion();
        bob.disconnect().waitForCompletion();
    }
}
