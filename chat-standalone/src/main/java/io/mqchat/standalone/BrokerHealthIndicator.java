package io.mqchat.standalone;

import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.embedded.EmbeddedBroker;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The embedded broker on chat-api's {@code /actuator/health}: UP only while the mqchat extension runs and the
 * MQTT listener accepts TCP connections (checked by connecting), so the stack is not reported healthy while
 * clients cannot reach it. DOWN until the broker has started (the REST apps start first).
 */
final class BrokerHealthIndicator extends AbstractHealthIndicator {

    private volatile EmbeddedBroker broker;
    private volatile ChatExtensionMain extension;

    BrokerHealthIndicator() {
        super("MQTT broker health check failed");
    }

    void watch(EmbeddedBroker broker, ChatExtensionMain extension) {
        this.extension = extension;
        this.broker = broker;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        EmbeddedBroker b = broker;
        ChatExtensionMain e = extension;
        if (b == null || e == null) {
            builder.down().withDetail("broker", "not started");
        } else if (!e.isRunning()) {
            builder.down().withDetail("broker", "the mqchat extension is not running");
        } else if (!b.acceptsMqttConnections()) {
            builder.down().withDetail("broker", "MQTT port " + b.mqttPort() + " does not accept connections");
        } else {
            builder.up().withDetail("mqttPort", b.mqttPort());
        }
    }
}
