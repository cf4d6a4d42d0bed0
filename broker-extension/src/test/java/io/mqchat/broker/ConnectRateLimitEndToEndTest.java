package io.mqchat.broker;

import io.mqchat.common.limits.RateLimit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** CONNECTs per client address: a small limit, from loopback, over MQTT 5 and 3.1.1. */
class ConnectRateLimitEndToEndTest {

    /** 3 at once, then one per 10 s: refills too slowly to blur the count, fast enough to see it come back. */
    private static final RateLimit LIMIT = RateLimit.parse("6/m,burst=3");
    private static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(Duration.ofSeconds(5), Duration.ofSeconds(1), config -> config.withLimits(
                new BrokerConfig.Limits(RateLimit.OFF, LIMIT, 1_000,
                        BrokerConfig.Limits.DEFAULT_INFLIGHT, BrokerConfig.Limits.DEFAULT_INFLIGHT_BYTES)));
        fx.createUser("alice");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void theConnectPastTheBurstIsRefusedWith0x9FAndWorksAgainLater() throws Exception {
        List<MqttAsyncClient> connected = new ArrayList<>();
        List<String> devices = List.of("phone", "tablet", "desktop");
        for (String device : devices) {
            connected.add(fx.mqtt5("alice", device)); // throws if refused
        }
        try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
            raw.send(RawMqtt5.connect("alice:web", "alice", fx.login("alice", "web"), true, 0));
            MqttConnAck connack = (MqttConnAck) raw.read();
            assertThat(connack.getReturnCode()).as("CONNACK reason code").isEqualTo(0x9F);
            assertThat(connack.getProperties().getReasonString())
                    .startsWith("connection_rate_exceeded").containsPattern("retry in \\d+ s");
        }
        // MQTT 3.1.1 has no rate code: server unavailable (3), come back later
        var v3 = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "alice:iot",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        var o3 = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o3.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o3.setUserName("alice");
        o3.setPassword(fx.login("alice", "iot").toCharArray());
        assertThatThrownBy(() -> v3.connect(o3).waitForCompletion(10_000))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(3));
        v3.close(true);

        // a token comes back within 10 s
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            try (RawMqtt5 raw = new RawMqtt5(fx.broker.mqttPort())) {
                raw.send(RawMqtt5.connect("alice:web", "alice", fx.login("alice", "web"), true, 0));
                return ((MqttConnAck) raw.read()).getReturnCode() == 0;
            }
        });
        for (MqttAsyncClient c : connected) {
            c.disconnect().waitForCompletion();
        }
    }
}
