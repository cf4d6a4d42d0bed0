package io.mqchat.demo;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What both Paho connections do the same way: the first connect, reconnecting by themselves with backoff into
 * the same session after a drop, and stopping for good when the broker refuses the token. Paho's own automatic
 * reconnect is not used (each subclass says why); a subclass only opens one connection, recognizes a refused
 * token in its library's exception, and releases its client.
 */
abstract class ReconnectingConnection implements ChatConnection {

    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    protected final Listener listener;
    private final ScheduledExecutorService reconnector;
    protected volatile boolean closed;
    private long backoffMs = MIN_BACKOFF_MS;

    ReconnectingConnection(String threadName, Listener listener) {
        this.listener = listener;
        this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Opens one connection: the first ({@code reconnect} false) or one into the same session; throws if it fails. */
    protected abstract void open(boolean reconnect) throws Exception;

    /**
     * The broker's refusal of the token in this failure (replaced by a newer login, or logged out) as a
     * {@link LoggedOutException}; null for other failures, which are worth retrying.
     */
    protected abstract LoggedOutException refusedToken(Exception failure);

    /** Disconnects cleanly (if connected) and releases the library's client. */
    protected abstract void release();

    @Override
    public final void connect() throws Exception {
        try {
            open(false);
        } catch (Exception e) {
            LoggedOutException dead = refusedToken(e);
            throw dead != null ? dead : e;
        }
        listener.connected(false);
    }

    /** The connection dropped: tell the listener and reconnect, starting with the shortest backoff. */
    protected final void lost(Throwable cause) {
        listener.connectionLost(cause);
        backoffMs = MIN_BACKOFF_MS;
        if (!closed) {
            reconnector.execute(this::reconnect);
        }
    }

    /** Runs on the reconnect thread, with backoff; the broker keeps our session. */
    private void reconnect() {
        if (closed) {
            return;
        }
        try {
            open(true);
            backoffMs = MIN_BACKOFF_MS;
            listener.connected(true);
        } catch (Exception e) {
            LoggedOutException dead = refusedToken(e);
            if (dead != null) {
                listener.loggedOut(dead);     // retrying cannot help
                return;
            }
            long delay = backoffMs;
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            if (!closed) {
                reconnector.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public final void close() {
        synchronized (this) {
            closed = true;
        }
        reconnector.shutdownNow();
        release();
    }
}
