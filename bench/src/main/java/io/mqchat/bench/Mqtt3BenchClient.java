package io.mqchat.bench;

import io.mqchat.common.net.NoDelaySocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Paho MQTT 3.1.1. Its own in-flight limit ({@code maxInflight}) is set above the benchmark's window.
 * 3.1.1 has no negative PUBACK: a publish mqchat cannot store closes the connection.
 */
final class Mqtt3BenchClient extends PahoBenchClient {

    private final MqttAsyncClient client;

    private Mqtt3BenchClient(MqttAsyncClient client) {
        super(client::isConnected, () -> client.disconnect(DISCONNECT_TIMEOUT_MS).waitForCompletion(DISCONNECT_TIMEOUT_MS),
                client::close);
        this.client = client;
    }

    static Mqtt3BenchClient connect(String uri, String clientId, Credentials credentials, int maxInflight, boolean tcpNoDelay,
                                    MessageListener messages, ErrorListener errors) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence(),
                new ScheduledExecutorPingSender(PINGS), null);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                errors.error(clientId + " lost its connection: " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                messages.arrived(message.getPayload(), System.nanoTime());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setConnectionTimeout(TIMEOUT_SECONDS);
        options.setMaxInflight(maxInflight);
        if (tcpNoDelay) {
            options.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        }
        if (credentials != null) {
            options.setUserName(credentials.username());
            options.setPassword(credentials.password().toCharArray());
        }
        client.connect(options).waitForCompletion(TIMEOUT_SECONDS * 1000L);
        return new Mqtt3BenchClient(client);
    }

    @Override
    protected void send(String topic, byte[] payload, AckListener listener) throws MqttException {
        client.publish(topic, payload, 1, false, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                listener.acked(System.nanoTime(), null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                listener.acked(System.nanoTime(), String.valueOf(exception));
            }
        });
    }

    @Override
    protected boolean windowFull(Exception failure) {
        return failure instanceof MqttException e && e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT;
    }

    @Override
    protected int subscribeAndWait(String topic) throws MqttException {
        IMqttToken token = client.subscribe(topic, 1);
        token.waitForCompletion(TIMEOUT_SECONDS * 1000L);
        return firstCode(token.getGrantedQos());
    }
}
