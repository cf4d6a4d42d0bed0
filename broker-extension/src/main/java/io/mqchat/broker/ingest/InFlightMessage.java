package io.mqchat.broker.ingest;

import io.mqchat.broker.delivery.DeliveryOrder;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundOutput;
import io.mqchat.common.protocol.OutgoingMessage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chat publish between "queued" and "delivered": its seq's place in {@link DeliveryOrder}, its store
 * result, and (QoS 1) the PUBACK held for it. It is published once it is stored, every lower seq of its
 * conversation is done, and its PUBACK is being held (so deliveries follow PUBACK order) — or nobody waits for
 * that PUBACK any more (QoS 0, connection gone, or the PUBACK is overdue). The PUBACK is released once HiveMQ queued
 * the publish for its subscribers; a message that is not stored never releases it before its connection is closed.
 */
final class InFlightMessage implements DeliveryOrder.Waiting, MessageAcceptor.SeqListener {

    final ConnectionPublishes connection;
    /** The publish's packet id, or -1 for QoS 0 (no PUBACK). */
    final int packetId;
    final String topic;
    final OutgoingMessage message;
    final long bytes;
    final long startNanos = System.nanoTime();

    private volatile MessageAcceptor.Accepted accepted;
    private volatile boolean failed;
    private volatile boolean overdue;
    private volatile Async<PubackOutboundOutput> hold;
    private volatile PubackOutboundOutput heldPuback;
    /** The seq holding a place in {@link DeliveryOrder} (guarded by this), or null. */
    private String orderedConv;
    private long orderedSeq = -1;
    private final AtomicBoolean published = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Timers to cancel once they are pointless (the watchdog of a held PUBACK, the overdue check). */
    private volatile java.util.concurrent.Future<?> watchdog;
    private volatile java.util.concurrent.Future<?> overdueCheck;
    /** Completes once HiveMQ queued the published message for its subscribers; the PUBACK waits for it. */
    private volatile CompletableFuture<?> handedOver;

    InFlightMessage(ConnectionPublishes connection, int packetId, String topic, OutgoingMessage message, long bytes) {
        this.connection = connection;
        this.packetId = packetId;
        this.topic = topic;
        this.message = message;
        this.bytes = bytes;
    }

    boolean acknowledged() {
        return packetId >= 0;
    }

    // --- seqs (on the allocating thread, in allocation order) ---

    @Override
    public void allocated(String conv, long seq, boolean fresh) {
        if (!fresh) {
            return; // an earlier attempt's seq: its place (if any) belongs to that attempt
        }
        synchronized (this) {
            if (failed || accepted != null) {
                return;
            }
            orderedConv = conv;
            orderedSeq = seq;
            connection.pipeline().order().register(conv, seq, this);
        }
    }

    @Override
    public void abandoned(String conv, long seq) {
        boolean mine;
        synchronized (this) {
            mine = conv.equals(orderedConv) && orderedSeq == seq;
            if (mine) {
                orderedConv = null;
                orderedSeq = -1;
            }
        }
        if (mine) {
            connection.pipeline().order().abandon(conv, seq);
        }
    }

    // --- outcome ---

    /** Stored (or found stored by an earlier attempt). */
    void stored(MessageAcceptor.Accepted result) {
        synchronized (this) {
            if (failed) {
                return;
            }
            accepted = result;
        }
        advance();
    }

    /** Not stored: gives up its place; the connection decides what the client is told. */
    void failed() {
        String conv;
        long seq;
        synchronized (this) {
            if (accepted != null || failed) {
                return;
            }
            failed = true;
            conv = orderedConv;
            seq = orderedSeq;
            orderedConv = null;
        }
        if (conv != null) {
            connection.pipeline().order().abandon(conv, seq);
        }
        finish();
    }

    MessageAcceptor.Accepted accepted() {
        return accepted;
    }

    // --- the held PUBACK ---

    /** HiveMQ is about to write this publish's PUBACK and waits for {@code hold}. */
    void held(Async<PubackOutboundOutput> async, PubackOutboundOutput output) {
        heldPuback = output;
        hold = async;
        java.util.concurrent.Future<?> overdue = overdueCheck;
        if (overdue != null) {
            overdue.cancel(false);
        }
        if (failed) {
            connection.releaseAfterDisconnect(this);
        } else if (published.get()) {
            // published before its PUBACK came (overdue, or its connection was closed)
            CompletableFuture<?> queued = handedOver;
            if (queued == null) {
                release();
            } else {
                queued.whenComplete((ignored, error) -> release());
            }
        } else {
            advance();
        }
    }

    /** Nobody will hold this PUBACK any more (the connection is gone) or it is overdue: publish when stored. */
    void stopWaitingForPuback() {
        overdue = true;
        advance();
    }

    boolean isHeld() {
        return hold != null;
    }

    boolean isReleased() {
        return released.get();
    }

    void watchdog(java.util.concurrent.Future<?> timer) {
        watchdog = timer;
    }

    void overdueCheck(java.util.concurrent.Future<?> timer) {
        overdueCheck = timer;
        if (hold != null) {
            timer.cancel(false);
        }
    }

    /** Releases the held PUBACK (once); with MQTT 5 it carries the stored message's id and seq. */
    void release() {
        Async<PubackOutboundOutput> async = hold;
        if (async == null || !released.compareAndSet(false, true)) {
            return;
        }
        java.util.concurrent.Future<?> timer = watchdog;
        if (timer != null) {
            timer.cancel(false);
        }
        MessageAcceptor.Accepted result = accepted;
        if (result != null && connection.mqtt5() && !failed) {
            try {
                var properties = heldPuback.getPubackPacket().getUserProperties();
                properties.addUserProperty("id", result.message().id());
                properties.addUserProperty("seq", Long.toString(result.message().seq()));
            } catch (RuntimeException e) {
                // the PUBACK still says stored; the sender copy carries id and seq too
            }
        }
        async.resume();
    }

    // --- delivery order ---

    @Override
    public boolean ready() {
        return accepted != null && !failed && (!acknowledged() || hold != null || overdue || connection.isClosed());
    }

    private void advance() {
        String conv;
        synchronized (this) {
            conv = orderedConv;
        }
        if (conv != null) {
            connection.pipeline().order().advance(conv);
        } else if (ready()) {
            publish();
        }
    }

    @Override
    public void publish() {
        if (!published.compareAndSet(false, true)) {
            return;
        }
        // no lock here: DeliveryOrder calls this under its conversation's lock (and took the place already)
        CompletableFuture<?> queued = connection.pipeline().deliver(this);
        handedOver = queued;
        queued.whenComplete((ignored, error) -> release());
        finish();
    }

    private void finish() {
        if (finished.compareAndSet(false, true)) {
            connection.finished(this);
        }
    }
}
