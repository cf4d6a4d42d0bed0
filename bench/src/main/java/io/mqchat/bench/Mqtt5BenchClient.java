package io.mqchat.bench;

import io.mqchat.common.net.NoDelaySocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;

/**
 * Paho MQTT 5. Paho limits publishes in flight to the broker's receive maximum (from CONNACK), so the
 * benchmark configures the broker's server receive maximum above the in-flight window. A PUBACK with a
 * reason code of 0x80 or more arrives as a "success" token with that code: it is a refusal.
 */
final class Mqtt5BenchClient extends PahoBenchClient {

    private final MqttAsyncClient client;

    private Mqtt5BenchClient(MqttAsyncClient client) {
        super(client::isConnected, () -> client.disconnect(DISCONNECT_TIMEOUT_MS).waitForCompletion(DISCONNECT_TIMEOUT_MS),
                client::close);
        this.client = client;
    }

    static Mqtt5BenchClient connect(String uri, String clientId, Credentials credentials, boolean tcpNoDelay,
                                    MessageListener messages,
                                    ErrorListener errors) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence(),
                new TimerPingSender(PINGS), null);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                errors.error(clientId + " disconnected: " + response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                errors.error(clientId + ": " + exception);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                messages.arrived(message.getPayload(), System.nanoTime());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setConnectionTimeout(TIMEOUT_SECONDS);
        if (tcpNoDelay) {
            options.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        }
        if (credentials != null) {
            options.setUserName(credentials.username());
            options.setPassword(credentials.password().getBytes(StandardCharsets.UTF_8));
        }
        client.connect(options).waitForCompletion(TIMEOUT_SECONDS * 1000L);
        return new Mqtt5BenchClient(client);
    }

    @Override
    protected void send(String topic, byte[] payload, AckListener listener) throws MqttException {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        client.publish(topic, message, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                long now = System.nanoTime();
                int[] codes = token.getReasonCodes();
                if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                    String reason = token.getResponseProperties() == null ? null
                            : token.getResponseProperties().getReasonString();
                    listener.acked(now, "PUBACK reason code 0x" + Integer.toHexString(codes[0])
                            + (reason == null ? "" : " (" + reason + ")"));
                } else {
                    listener.acked(now, null);
                }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                listener.acked(System.nanoTime(), String.valueOf(exception));
            }
        });
    }

    @Override
    protected boolean windowFull(Exception failure) {
        return failure instanceof MqttException e && e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT;
    }

    @Override
    protected int subscribeAndWait(String topic) throws MqttException {
        IMqttToken token = client.subscribe(new MqttSubscription(topic, 1));
        token.waitForCompletion(TIMEOUT_SECONDS * 1000L);
        return firstCode(token.getReasonCodes());
    }
}
