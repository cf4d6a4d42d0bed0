package io.mqchat.demo;

import io.mqchat.common.protocol.Topics;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The MQTT connection's life cycle of a {@link ChatClient}: the first connect (returning once our inbox is
 * subscribed), and on every (re)connect re-sending what is unacknowledged, subscribing again and syncing; a drop or
 * a refused token reported; every arrival handled on the event thread before Paho acknowledges it.
 */
final class LiveConnection {

    private static final long CONNECT_TIMEOUT_SECONDS = 30;

    private final ClientSession session;
    private final Outbox outbox;
    private final Inbound inbound;
    private final SyncLoop sync;
    private volatile CompletableFuture<Void> firstSubscription = new CompletableFuture<>();

    LiveConnection(ClientSession session, Outbox outbox, Inbound inbound, SyncLoop sync) {
        this.session = session;
        this.outbox = outbox;
        this.inbound = inbound;
        this.sync = sync;
    }

    /** See {@link ChatClient#connect}. */
    void connect(URI broker, boolean mqtt3) throws IOException {
        if (session.connection != null) {
            throw new IllegalStateException("already connected");
        }
        try {
            session.connection = ChatConnection.create(mqtt3, broker, session.login.clientId(), session.user,
                    session.login.token(), new Events());
            session.connection.connect();
            firstSubscription.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        } catch (ExecutionException e) {
            throw new IOException("cannot subscribe to " + Topics.inbox(session.user) + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no subscription acknowledgement within " + CONNECT_TIMEOUT_SECONDS + " s");
        } catch (LoggedOutException e) {
            session.loggedOut(e.getMessage());
            throw e;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // Paho's MqttException: bad credentials, broker unreachable, ...
            throw new IOException("cannot connect to " + broker + ": " + e.getMessage(), e);
        }
    }

    /** The connection's callbacks: called on Paho's threads, handed to the event thread. */
    private final class Events implements ChatConnection.Listener {
        @Override
        public void connected(boolean reconnect) {
            session.runOnEvents(() -> onConnected(reconnect));
        }

        @Override
        public void connectionLost(Throwable cause) {
            session.runOnEvents(() -> {
                session.subscribed = false;
                if (session.loggedOut == null) {
                    session.status("connection lost (" + cause.getMessage() + "); reconnecting");
                }
            });
        }

        @Override
        public void loggedOut(LoggedOutException cause) {
            session.runOnEvents(() -> session.loggedOut(cause.getMessage()));
        }

        @Override
        public void messageArrived(String topic, byte[] payload) {
            received(topic, payload);
        }
    }

    /**
     * A message arrived on {@code topic} (our inbox, or a group topic the server subscribed us to). Handles it
     * completely (state saved, listeners called) before returning: Paho sends the PUBACK only after this
     * returns, so a crash here means the broker delivers it again.
     */
    void received(String topic, byte[] payload) {
        try {
            session.events.submit(() -> inbound.onPayload(topic, payload)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RejectedExecutionException e) {
            // closed, or a listener threw; nothing more to do
        }
    }

    private void onConnected(boolean reconnect) {
        if (session.loggedOut != null) {
            return;
        }
        session.status((reconnect ? "reconnected" : "connected") + " (" + session.connection.protocol() + ") as "
                + session.login.clientId());
        // Whatever was in flight on the old connection is re-sent on this one (same cids).
        outbox.reconnected();
        // The persistent session normally keeps our subscription; subscribing again is harmless and
        // necessary when the session expired.
        session.connection.subscribe(Topics.inbox(session.user)).whenCompleteAsync((ok, error) -> {
            if (error != null) {
                session.status("cannot subscribe to " + Topics.inbox(session.user) + ": " + error.getMessage());
                firstSubscription.completeExceptionally(error);
                return;
            }
            session.subscribed = true;
            firstSubscription.complete(null);
            int unacked = session.state.unacked().size();
            if (unacked > 0) {
                session.status("re-sending " + unacked + " unacknowledged message(s)");
            }
            outbox.pump();
            if (session.historyService != null) {
                // What arrived while we were away (or ever, on a new device), whatever the broker kept for us.
                sync.request().thenAccept(n -> {
                    if (n > 0) {
                        session.status("synced " + n + " missed message(s)");
                    }
                });
            }
        }, session.events);
    }
}
