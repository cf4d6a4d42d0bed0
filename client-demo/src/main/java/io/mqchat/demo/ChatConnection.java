package io.mqchat.demo;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * The little a chat client needs from an MQTT library, so the rest of the client does not care whether it
 * speaks MQTT 5 ({@link Mqtt5Connection}) or 3.1.1 ({@link Mqtt3Connection}).
 *
 * <p>Both implementations: client id {@code {user}:{device}}, username = user id, password = login token;
 * a persistent session (the broker keeps our subscription and queues messages while we are away);
 * reconnect with backoff (our own, see {@link Mqtt5Connection}), stopping for good when the broker refuses the
 * token (MQTT 5 {@code 0x86}/{@code 0x87}, 3.1.1 return codes 4/5: replaced by a newer login, or logged out);
 * QoS 1 everywhere.
 */
public interface ChatConnection extends AutoCloseable {

    /** Callbacks, invoked on the MQTT library's thread: do not block in them except as documented. */
    interface Listener {
        /** A connection (first or automatic re-connect) is up. Subscribe and re-send from here. */
        void connected(boolean reconnect);

        /** The connection dropped; the library is reconnecting by itself. */
        void connectionLost(Throwable cause);

        /**
         * A reconnect was refused because the token is no longer valid (this device was replaced or logged
         * out): the connection has stopped reconnecting for good.
         */
        void loggedOut(LoggedOutException cause);

        /**
         * A message arrived. The library acknowledges it (PUBACK) only when this returns, so an
         * implementation may block here until the message is safely handled.
         */
        void messageArrived(String topic, byte[] payload);
    }

    /**
     * Opens the first connection (throws if it fails: a {@link LoggedOutException} when the token is no
     * longer valid); later drops are re-connected automatically.
     */
    void connect() throws Exception;

    /** Subscribes with QoS 1; completes on SUBACK. */
    CompletableFuture<Void> subscribe(String topic);

    /**
     * Publishes with QoS 1. Completes normally on a successful PUBACK; exceptionally with a
     * {@link SendRefusedException} when an MQTT 5 server refuses it, or with another exception when it
     * could not be sent or the connection dropped first (then: send again later, with the same cid).
     */
    CompletableFuture<Void> publish(String topic, byte[] payload);

    boolean isConnected();

    /** "MQTT 5" or "MQTT 3.1.1". */
    String protocol();

    /** Disconnects cleanly and releases the library's threads. */
    @Override
    void close();

    static ChatConnection create(boolean mqtt3, URI broker, String clientId, String user, String token,
                                 Listener listener) throws Exception {
        return mqtt3 ? new Mqtt3Connection(broker, clientId, user, token, listener)
                : new Mqtt5Connection(broker, clientId, user, token, listener);
    }
}
