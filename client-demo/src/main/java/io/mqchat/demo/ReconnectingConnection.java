package io.mqchat.demo;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What both Paho connections do the same way: the first connect, reconnecting by themselves with backoff into
 * the same session after a drop, and stopping for good when the broker refuses the token. Paho's own automatic
 * reconnect is not used (each subclass says why); a subclass only opens one connection, recognizes a refused
 * token in its library's exception, and releases its client. It also holds what both do around their library's
 * calls: the keep-alive, TCP_NODELAY on plain TCP, a call answered through a future, and a quiet release.
 */
abstract class ReconnectingConnection implements ChatConnection {

    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    static final int KEEP_ALIVE_SECONDS = 30;
    static final long DISCONNECT_TIMEOUT_MS = 5_000;

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

    /** A call into the library, which may fail. */
    @FunctionalInterface
    protected interface LibraryCall {
        void run() throws Exception;
    }

    /** A library call whose answer comes to a listener; the listener completes the future it is given. */
    @FunctionalInterface
    protected interface AnsweredCall {
        void start(CompletableFuture<Void> answer) throws Exception;
    }

    /**
     * Starts {@code call} with {@code answer} and returns {@code answer}; the library's refusal of the call itself
     * (its checked exception: not connected, too many in flight) fails it at once.
     */
    protected static CompletableFuture<Void> answered(CompletableFuture<Void> answer, AnsweredCall call) {
        try {
            call.start(answer);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /** Completes an answer: normally, or with the refusal the broker's answer carried. */
    protected static void settle(CompletableFuture<Void> answer, Throwable refusal) {
        if (refusal == null) {
            answer.complete(null);
        } else {
            answer.completeExceptionally(refusal);
        }
    }

    /** Small PUBACKs must not wait behind Nagle's algorithm (see NoDelaySocketFactory): true on plain TCP. */
    protected static boolean noDelay(URI broker) {
        return "tcp".equals(broker.getScheme());
    }

    /** A clean disconnect (when connected), then the client closed; failures of either are no news when closing. */
    protected static void disconnectAndClose(boolean connected, LibraryCall disconnect, LibraryCall close) {
        try {
            if (connected) {
                disconnect.run();
            }
        } catch (Exception ignored) {
            // closing anyway
        }
        try {
            close.run();
        } catch (Exception ignored) {
            // nothing left to release
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
