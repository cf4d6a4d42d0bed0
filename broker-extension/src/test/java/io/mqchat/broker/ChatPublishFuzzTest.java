package io.mqchat.broker;

import com.mongodb.client.model.Filters;
import io.mqchat.common.fuzz.ChatPayloads;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mqchat.broker.BrokerFixture.pubackCode;
import static io.mqchat.broker.BrokerFixture.pubackReason;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile payloads through the real broker with the extension, one MQTT 5 client: every publish is either
 * acknowledged and then stored exactly once, or refused with a reason code and a reason string and not stored.
 * Nothing unstored is ever acknowledged, and the connection survives all of it.
 */
class ChatPublishFuzzTest {

    private static BrokerFixture fx;
    private static MqttAsyncClient mallory;
    private static final AtomicInteger tries = new AtomicInteger();
    private static final String CID_PLACEHOLDER = "fz-cid-placeholder";

    @BeforeContainer
    static void start() throws Exception {
        fx = new BrokerFixture(Duration.ofSeconds(5));
        fx.createUser("mallory");
        fx.createUser("bob");
        mallory = fx.mqtt5("mallory", "phone");
    }

    @AfterContainer
    static void stop() throws Exception {
        mallory.disconnect().waitForCompletion();
        fx.close();
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return ChatPayloads.payload(CID_PLACEHOLDER);
    }

    @Property(tries = 300)
    void aPublishIsStoredOnceIfAndOnlyIfItIsAcknowledged(@ForAll("payloads") byte[] payload) throws Exception {
        long before = fx.messages().countDocuments(Filters.eq("from", "mallory"));
        // a fresh cid per try (generated values may repeat), so each acknowledged envelope adds one document
        String raw = new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace(CID_PLACEHOLDER, "fz-" + tries.incrementAndGet());
        MqttMessage message = new MqttMessage(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        message.setQos(1);
        IMqttToken token = mallory.publish("chat/u/bob", message);
        try {
            token.waitForCompletion(15_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
            // the PUBACK is read below
        }
        assertThat(mallory.isConnected()).isTrue();
        long after = fx.messages().countDocuments(Filters.eq("from", "mallory"));
        if (pubackCode(token) < 0x80) {
            assertThat(after).as("acknowledged, so stored").isEqualTo(before + 1);
        } else {
            assertThat(pubackReason(token)).matches("[a-z_]+: .+");
            assertThat(pubackCode(token)).isNotEqualTo(0x80).as("refused for its content, not a storage failure");
            assertThat(after).as("refused, so not stored").isEqualTo(before);
        }
    }
}
