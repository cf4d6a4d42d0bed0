package io.mqchat.bench;

/** The little of an MQTT client the benchmark needs, over Paho's MQTT 5 or MQTT 3.1.1 client. */
interface BenchClient extends AutoCloseable {

    /** Outcome of one QoS 1 publish. */
    interface AckListener {
        /** @param failure null when the broker acknowledged with success */
        void acked(long nanoTime, String failure);
    }

    /** A message arrived on a subscription. */
    interface MessageListener {
        void arrived(byte[] payload, long nanoTime);
    }

    /** Connection-level trouble (lost connection, client errors). */
    interface ErrorListener {
        void error(String description);
    }

    /** Paho refused a publish because its in-flight window is full; the caller may retry. */
    final class WindowFullException extends Exception {
        WindowFullException() {
            super("client in-flight window full", null, false, false);
        }
    }

    /** Sends a QoS 1 publish; the listener runs on the client's callback thread. */
    void publish(String topic, byte[] payload, AckListener listener) throws Exception;

    /** Subscribes with QoS 1 and waits for the SUBACK; fails when the subscription was refused. */
    void subscribe(String topic) throws Exception;

    @Override
    void close();

    /** How to reach a broker: connection URI and the credentials of one device. */
    interface Connector {
        String uri();

        /** Username and password for {@code user:device}, or null for none. */
        Credentials credentials(String user, String device);
    }

    record Credentials(String username, String password) {
    }

    /**
     * Keep-alive pings of all clients on two shared threads. Paho's default starts a {@link java.util.Timer}
     * thread per client, on top of its three own threads (receiver, sender, callback): a thousand clients
     * would need four thousand threads.
     */
    java.util.concurrent.ScheduledExecutorService PINGS = java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-mqtt-ping");
        t.setDaemon(true);
        return t;
    });

    static BenchClient connect(boolean mqtt3, Connector connector, String user, String device, int maxInflight,
                               boolean tcpNoDelay, MessageListener messages, ErrorListener errors) throws Exception {
        Credentials credentials = connector.credentials(user, device);
        String clientId = user + ":" + device;
        return mqtt3 ? Mqtt3BenchClient.connect(connector.uri(), clientId, credentials, maxInflight, tcpNoDelay, messages, errors)
                : Mqtt5BenchClient.connect(connector.uri(), clientId, credentials, tcpNoDelay, messages, errors);
    }
}
