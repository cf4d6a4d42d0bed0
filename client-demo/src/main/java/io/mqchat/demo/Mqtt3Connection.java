package io.mqchat.demo;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@link ChatConnection} on the Eclipse Paho MQTT 3.1.1 client.
 *
 * <p>3.1.1 has no negative acknowledgement: a PUBACK means "stored, or refused with an error event on
 * your inbox", and a storage failure closes the connection — the unacknowledged message is then re-sent
 * after the reconnect.
 *
 * <p>It reconnects by itself rather than with Paho's automatic reconnect, because Paho retries a refused
 * CONNECT silently and forever: a device whose token was replaced by a newer login (return code 5) must
 * stop and ask the user to log in again instead.
 */
final class Mqtt3Connection extends ReconnectingConnection {

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();

    Mqtt3Connection(URI broker, String clientId, String user, String token, Listener listener) throws MqttException {
        super("mqchat-mqtt3-reconnect", listener);
        client = new MqttAsyncClient(broker.toString(), clientId, new MemoryPersistence());
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(user);
        options.setPassword(token.toCharArray());
        options.setCleanSession(false);
        options.setAutomaticReconnect(false);   // see the class comment
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        if (noDelay(broker)) {
            options.setSocketFactory(io.mqchat.common.net.NoDelaySocketFactory.INSTANCE);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost(cause);
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

    /** The broker keeps our session (clean session = false), so a reconnect is a plain connect. */
    @Override
    protected void open(boolean reconnect) throws MqttException {
        client.connect(options).waitForCompletion(options.getConnectionTimeout() * 1000L);
    }

    /** Return code 4 (bad user name or password: expired token) or 5 (not authorized: replaced or logged out). */
    @Override
    protected LoggedOutException refusedToken(Exception failure) {
        int code = failure instanceof MqttException e ? e.getReasonCode() : -1;
        return code == MqttException.REASON_CODE_FAILED_AUTHENTICATION || code == MqttException.REASON_CODE_NOT_AUTHORIZED
                ? new LoggedOutException("the broker refused this device's token (return code " + code
                + "): it was replaced by a newer login or logged out; log in again", failure)
                : null;
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        return answered(new CompletableFuture<>(), answer -> client.subscribe(topic, 1, null, answering(answer, token -> {
            int[] granted = token.getGrantedQos();
            return granted != null && granted.length > 0 && granted[0] == 0x80
                    ? new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED) : null;
        })));
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return answered(new CompletableFuture<>(),
                answer -> client.publish(topic, payload, 1, false, null, answering(answer, token -> null)));
    }

    /** Settles {@code answer} with the broker's answer: a success, unless {@code refusal} finds one in the token. */
    private static IMqttActionListener answering(CompletableFuture<Void> answer, Function<IMqttToken, Throwable> refusal) {
        return new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                settle(answer, refusal.apply(token));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                answer.completeExceptionally(exception);
            }
        };
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
    protected void release() {
        disconnectAndClose(client.isConnected(), () -> client.disconnect().waitForCompletion(DISCONNECT_TIMEOUT_MS),
                () -> client.close(true));
    }
}
