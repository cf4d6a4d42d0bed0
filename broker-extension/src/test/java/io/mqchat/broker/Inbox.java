package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What one test client received on its inbox, parsed. */
final class Inbox {

    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    void add(byte[] payload) {
        try {
            received.add(Json.MAPPER.readTree(payload));
        } catch (java.io.IOException e) {
            throw new AssertionError("inbox payload is not JSON: " + new String(payload), e);
        }
    }

    /** Paho v5's per-subscription listeners are unreliable; a client-wide callback is not. */
    org.eclipse.paho.mqttv5.client.MqttCallback callback5() {
        return new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                disconnects.add(response);
            }

            @Override
            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                add(message.getPayload());
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
            }
        };
    }

    final List<org.eclipse.paho.mqttv5.client.MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();

    List<JsonNode> chat() {
        return received.stream().filter(n -> n.has("seq")).toList();
    }

    List<JsonNode> errors() {
        return received.stream().filter(n -> "error".equals(n.path("type").asText())).toList();
    }
}
