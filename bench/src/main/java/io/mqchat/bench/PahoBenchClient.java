package io.mqchat.bench;

import java.util.function.BooleanSupplier;

/**
 * What the bench's two Paho clients do alike, whichever MQTT version: a publish refused for a full in-flight window
 * becomes a {@link WindowFullException} the send loop retries, a subscription must be granted, and closing
 * disconnects (if connected) and releases the client whatever fails. No reconnecting, no threads of its own:
 * a measuring client stays as thin over Paho as it can. A subclass only speaks its library's calls.
 */
abstract class PahoBenchClient implements BenchClient {

    /** Seconds for CONNECT and SUBSCRIBE to be answered. */
    static final int TIMEOUT_SECONDS = 15;
    static final int KEEP_ALIVE_SECONDS = 60;
    static final long DISCONNECT_TIMEOUT_MS = 5_000;

    /** Hands the publish to the library; {@code listener} gets the broker's answer. */
    protected abstract void send(String topic, byte[] payload, AckListener listener) throws Exception;

    /** Whether this failure of {@link #send} is the library's full in-flight window. */
    protected abstract boolean windowFull(Exception failure);

    /**
     * Subscribes with QoS 1 and waits for the SUBACK.
     *
     * @return the SUBACK's first code (granted QoS, or a failure code of 0x80 or more); -1 when it carries none
     */
    protected abstract int subscribeAndWait(String topic) throws Exception;

    /** One call into the library, which may fail. */
    @FunctionalInterface
    interface LibraryCall {
        void run() throws Exception;
    }

    private final BooleanSupplier connected;
    private final LibraryCall disconnect;
    private final LibraryCall release;

    /**
     * @param disconnect a clean DISCONNECT, waited for
     * @param release    releases the library's client and its threads
     */
    PahoBenchClient(BooleanSupplier connected, LibraryCall disconnect, LibraryCall release) {
        this.connected = connected;
        this.disconnect = disconnect;
        this.release = release;
    }

    @Override
    public final void publish(String topic, byte[] payload, AckListener listener) throws Exception {
        try {
            send(topic, payload, listener);
        } catch (Exception e) {
            if (windowFull(e)) {
                throw new WindowFullException();
            }
            throw e;
        }
    }

    @Override
    public final void subscribe(String topic) throws Exception {
        int code = subscribeAndWait(topic);
        if (code < 0 || code >= 0x80) {
            throw new IllegalStateException("subscription to " + topic + " refused: "
                    + (code < 0 ? "no reason code" : "0x" + Integer.toHexString(code)));
        }
    }

    @Override
    public final void close() {
        try {
            if (connected.getAsBoolean()) {
                disconnect.run();
            }
        } catch (Exception ignored) {
            // closing anyway
        }
        try {
            release.run();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** The first of a SUBACK's codes, -1 for none. */
    static int firstCode(int[] codes) {
        return codes == null || codes.length == 0 ? -1 : codes[0];
    }
}
