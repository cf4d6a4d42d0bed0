package io.mqchat.demo;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link ChatConnection} on the Eclipse Paho MQTT 5 client.
 *
 * <p><b>Why this class reconnects by itself</b> instead of using Paho's automatic reconnect: Paho 1.2.5
 * (mqttv5) replaces the topic of outgoing publishes with a topic alias when the server allows aliases,
 * and on an automatic reconnect into the same session it re-sends its in-flight publishes in that
 * aliased form. The new connection has no aliases, so the broker disconnects the client ("Topic alias in
 * PUBLISH could not be mapped") — again after every reconnect. So on a drop we throw the Paho client away
 * and connect a fresh one (same client id, {@code cleanStart=false}: the broker keeps our subscription and
 * the messages queued meanwhile). Paho's in-flight publishes are failed, and {@link ChatClient} re-sends
 * them itself, with their topic and their cid.
 */
final class Mqtt5Connection extends ReconnectingConnection {

    /** How long the broker keeps our session (subscription + queued messages) while we are offline. */
    private static final long SESSION_EXPIRY_SECONDS = 24 * 3600;

    private final String broker;
    private final String clientId;
    private final MqttConnectionOptions options = new MqttConnectionOptions();
    /** Publishes awaiting their PUBACK on the current Paho client; failed when that client is dropped. */
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

    private volatile MqttAsyncClient client;

    Mqtt5Connection(URI broker, String clientId, String user, String token, Listener listener) {
        super("mqchat-mqtt5-reconnect", listener);
        this.broker = broker.toString();
        this.clientId = clientId;
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        options.setAutomaticReconnect(false);   // see the class comment
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        if (noDelay(broker)) {
            options.setSocketFactory(io.mqchat.common.net.NoDelaySocketFactory.INSTANCE);
        }
    }

    /** A fresh Paho client into the same session; a reconnect throws the dropped one away first. */
    @Override
    protected void open(boolean reconnect) throws MqttException {
        MqttAsyncClient old = client;
        if (reconnect && old != null) {
            try {
                old.close(true);
            } catch (MqttException ignored) {
                // it is gone either way
            }
        }
        MqttAsyncClient fresh = newClient();
        client = fresh;
        fresh.connect(options).waitForCompletion(options.getConnectionTimeout() * 1000L);
    }

    /**
     * A CONNACK {@code 0x86} (bad user name or password: expired token) or {@code 0x87} (not authorized: the
     * token was replaced by a newer login of this device type, or logged out).
     */
    @Override
    protected LoggedOutException refusedToken(Exception failure) {
        int code = failure instanceof MqttException e ? e.getReasonCode() : -1;
        return code == 0x86 || code == 0x87
                ? new LoggedOutException("the broker refused this device's token (reason code 0x"
                + Integer.toHexString(code) + "): it was replaced by a newer login or logged out; log in again", failure)
                : null;
    }

    private MqttAsyncClient newClient() throws MqttException {
        // MemoryPersistence: Paho's default file persistence would litter the working directory; our own
        // LocalState is what survives restarts.
        MqttAsyncClient fresh = new MqttAsyncClient(broker, clientId, new MemoryPersistence());
        fresh.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                // The server may say why, e.g. "session taken over": the same device type logged in elsewhere.
                Throwable cause = response.getException() != null ? response.getException()
                        : new IOException("disconnected by the server: " + (response.getReasonString() != null
                        ? response.getReasonString() : "reason code " + response.getReturnCode()));
                dropped(fresh, cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.messageArrived(topic, message.getPayload());
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                // reported by connect() / reconnect() themselves
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        return fresh;
    }

    /** The connection of {@code old} dropped: fail its in-flight publishes and start reconnecting. */
    private synchronized void dropped(MqttAsyncClient old, Throwable cause) {
        if (closed || old != client) {
            return;
        }
        IOException lost = new IOException("connection lost before the PUBACK", cause);
        inFlight.forEach(f -> f.completeExceptionally(lost));
        inFlight.clear();
        lost(cause);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        return answered(new CompletableFuture<>(), answer -> client.subscribe(topic, 1, null, answering(answer, token -> {
            int code = firstCode(token);
            return code >= 0x80 ? new MqttException(code) : null;
        })));
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        inFlight.add(result);
        result.whenComplete((ok, error) -> inFlight.remove(result));
        MqttMessage message = new MqttMessage(payload, 1, false, null);
        // A refused call (not connected, the in-flight window full) fails the result at once: the caller retries later.
        return answered(result, answer -> client.publish(topic, message, null, answering(answer, token -> {
            // Paho reports a PUBACK with an error reason code as "success": check the code ourselves.
            int code = firstCode(token);
            MqttProperties props = token.getResponseProperties();
            return code >= 0x80 ? SendRefusedException.fromReasonString(code, props == null ? null : props.getReasonString())
                    : null;
        })));
    }

    /** The first reason code of the broker's answer; 0 (success) when it carries none. */
    private static int firstCode(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        return codes != null && codes.length > 0 ? codes[0] : 0;
    }

    /** Settles {@code answer} with the broker's answer: a success, unless {@code refusal} finds one in the token. */
    private static MqttActionListener answering(CompletableFuture<Void> answer, Function<IMqttToken, Throwable> refusal) {
        return new MqttActionListener() {
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
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    @Override
    public String protocol() {
        return "MQTT 5";
    }

    @Override
    protected void release() {
        MqttAsyncClient c = client;
        if (c != null) {
            disconnectAndClose(c.isConnected(), () -> c.disconnect().waitForCompletion(DISCONNECT_TIMEOUT_MS),
                    () -> c.close(true));
        }
    }
}
