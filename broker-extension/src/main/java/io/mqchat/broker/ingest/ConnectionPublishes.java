package io.mqchat.broker.ingest;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundOutput;
import io.mqchat.common.protocol.ClientId;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat publishes of one connection that are queued, being stored or waiting to be delivered, and their held
 * PUBACKs ({@link InFlightMessage}, held by {@link PubackHold}). Kept per connection, because packet ids and "this
 * connection is closed" belong to a connection, not to a client id (a takeover reuses the id); made at the
 * connection's first publish ({@link PublishPipeline#publishesOf}), so that an idle connection has none.
 *
 * <p>A publish whose store fails cannot be answered with an error any more (its PUBACK is held as a success):
 * the connection is closed (MQTT 5: DISCONNECT 0x80 with a reason string) before the PUBACK is released, so it is
 * never written, and the client resends with the same cids. Once closed, the connection's other messages are
 * delivered as their stores finish, and nothing is disconnected twice.
 */
final class ConnectionPublishes {

    /** At most one notice about dropped QoS 0 messages per this interval: a flood is not answered with a flood. */
    private static final long NOTICE_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final PublishPipeline pipeline;
    private final String clientId;
    private final ClientId sender;
    private final boolean mqtt5;
    private final boolean service;
    private final SignalRate signals = new SignalRate();
    private final ConcurrentHashMap<Integer, InFlightMessage> byPacketId = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    /** QoS 0 messages being stored: QoS 0 has no PUBACK to hold a flood back, so they are bounded apart. */
    private final AtomicInteger unacknowledged = new AtomicInteger();
    /** When the device was last told about dropped QoS 0 messages; as if long ago at first. */
    private final AtomicLong lastNotice = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
    private volatile boolean closed;
    private volatile CompletableFuture<Boolean> disconnect;

    ConnectionPublishes(PublishPipeline pipeline, String clientId, ClientId sender, boolean mqtt5, boolean service) {
        this.service = service;
        this.pipeline = pipeline;
        this.clientId = clientId;
        this.sender = sender;
        this.mqtt5 = mqtt5;
    }

    PublishPipeline pipeline() {
        return pipeline;
    }

    String clientId() {
        return clientId;
    }

    ClientId sender() {
        return sender;
    }

    /** This connection's budget of signals ({@code chat/e/...}). */
    SignalRate signals() {
        return signals;
    }

    /** Whether this is a service account's connection (its account's scopes and limit apply). */
    boolean service() {
        return service;
    }

    boolean mqtt5() {
        return mqtt5;
    }

    boolean isClosed() {
        return closed;
    }

    /** Messages of this connection not yet delivered or failed. */
    int inFlight() {
        return count.get();
    }

    /** Whether a held publish uses this packet id (a client may not reuse it before the PUBACK). */
    boolean holds(int packetId) {
        return byPacketId.containsKey(packetId);
    }

    /** Whether one more QoS 0 message may be stored now; if so, {@link #unacknowledgedFinished} must follow. */
    boolean tryStartUnacknowledged(int maxPending) {
        if (unacknowledged.incrementAndGet() > maxPending) {
            unacknowledged.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A QoS 0 message counted by {@link #tryStartUnacknowledged} left the pipeline or was refused before it. */
    void unacknowledgedFinished() {
        unacknowledged.decrementAndGet();
    }

    /** Whether the device may be told about a dropped QoS 0 message now (at most once a second). */
    boolean mayTell() {
        long now = System.nanoTime();
        long before = lastNotice.get();
        return now - before >= NOTICE_INTERVAL_NANOS && lastNotice.compareAndSet(before, now);
    }

    /** Counts a queued message; its PUBACK (if any) will be held. */
    void started(InFlightMessage message) {
        count.incrementAndGet();
        if (message.acknowledged()) {
            byPacketId.put(message.packetId, message);
        }
    }

    /** Delivered or failed: no longer counted. */
    void finished(InFlightMessage message) {
        count.decrementAndGet();
        pipeline.finished(message);
    }

    /** HiveMQ is about to write a success PUBACK of this connection: held if it is a queued chat message's. */
    void pubackOutbound(int packetId, PubackOutboundOutput output) {
        InFlightMessage message = byPacketId.remove(packetId);
        if (message == null) {
            return; // not a held chat message (a request, or a publish refused to a 3.1.1 client)
        }
        Async<PubackOutboundOutput> async = output.async(pipeline.holdTimeout());
        message.watchdog(pipeline.watch(message));
        message.held(async, output);
    }

    /**
     * A queued message of this connection was not stored. Closes the connection (once) so that its PUBACK is
     * never written; the message's PUBACK, if held, is released only after the connection is closed.
     */
    synchronized void failed(InFlightMessage message, String reason) {
        // synchronized with releaseAfterDisconnect: a PUBACK held meanwhile waits until the disconnect is under way
        message.failed();
        if (!message.acknowledged()) {
            return;
        }
        if (!closed) {
            closed = true;
            disconnect = pipeline.disconnect(clientId, reason);
            // the others now publish as their stores finish (nobody holds their PUBACKs for the client)
            byPacketId.values().forEach(InFlightMessage::stopWaitingForPuback);
        }
        if (message.isHeld()) {
            releaseAfterDisconnect(message);
        }
    }

    /** Releases a failed message's PUBACK once the connection is closed: it then never reaches the client. */
    synchronized void releaseAfterDisconnect(InFlightMessage message) {
        CompletableFuture<Boolean> closing = disconnect;
        if (closing == null) {
            // closed by the client or a takeover, not by us: nothing more to wait for
            message.release();
            return;
        }
        closing.whenComplete((ignored, error) -> message.release());
    }

    /** The connection is gone: nothing will hold its messages' PUBACKs; deliver them as they are stored. */
    void closed() {
        closed = true;
        byPacketId.values().forEach(InFlightMessage::stopWaitingForPuback);
        byPacketId.clear();
    }
}
