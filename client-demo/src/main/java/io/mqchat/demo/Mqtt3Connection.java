package io.mqchat.demo;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ChatConnection} on the Eclipse Paho MQTT 3.1.1 client.
 *
 * <p>3.1.1 has no negative acknowledgement: a PUBACK means "stored, or refused with an error event on
 * your inbox", and a storage failure closes the connection — the unacknowledged message is then re-sent
 * after the automatic reconnect.
 */
final class Mqtt3Connection implements ChatConnection {

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();

    Mqtt3Connection(URI broker, String clientId, String user, String token, Listener listener) throws MqttException {
        client = new MqttAsyncClient(broker.toString(), clientId, new MemoryPersistence());
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(user);
        options.setPassword(token.toCharArray());
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(30_000);
        options.setKeepAliveInterval(30);
        if ("tcp".equals(broker.getScheme())) {
            options.setSocketFactory(io.mqchat.common.net.NoDelaySocketFactory.INSTANCE);
        }
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                listener.connected(reconnect);
            }

            @Override
            public void connectionLost(Throwable cause) {
                listener.connectionLost(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.messageArrived(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    @Override
    public void connect() throws MqttException {
        client.connect(options).waitForCompletion(options.getConnectionTimeout() * 1000L);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            client.subscribe(topic, 1, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getGrantedQos();
                    if (granted != null && granted.length > 0 && granted[0] == 0x80) {
                        result.completeExceptionally(new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED));
                    } else {
                        result.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    result.completeExceptionally(exception);
                }
            });
        } catch (MqttException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            client.publish(topic, payload, 1, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    result.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    result.completeExceptionally(exception);
                }
            });
        } catch (MqttException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public String protocol() {
        return "MQTT 3.1.1";
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException ignored) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // nothing left to release
        }
    }
}
