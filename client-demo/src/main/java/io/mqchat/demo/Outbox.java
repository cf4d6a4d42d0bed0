package io.mqchat.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What this device sends: written ahead into the local state, published at most {@link #WINDOW} at once, re-sent
 * with the same cid after every reconnect, forgotten once the server has it (PUBACK, its stored copy, or a
 * definitive refusal), and each {@code send} future completed by the stored copy or the refusal.
 */
final class Outbox {

    /** Publishes in flight at once; below the broker's receive maximum (10 by default). */
    static final int WINDOW = 8;
    /** Pause before trying again after a publish could not be sent or storage was unavailable. */
    private static final long RETRY_DELAY_MS = 2_000;

    private final ClientSession session;
    /** send() futures by cid, completed by the stored copy or a refusal. */
    private final Map<String, CompletableFuture<ChatMessage>> waiting = new ConcurrentHashMap<>();
    // event-thread only
    private final Map<String, Object> inFlight = new HashMap<>();
    private boolean retryScheduled;

    Outbox(ClientSession session) {
        this.session = session;
    }

    /** Writes the message ahead and publishes it when the connection allows. */
    CompletableFuture<ChatMessage> enqueue(LocalState.Pending message) {
        CompletableFuture<ChatMessage> result = new CompletableFuture<>();
        waiting.put(message.cid(), result);
        LocalState state = session.state;
        if (!session.runOnEvents(() -> {
            try {
                state.addUnacked(message);
                state.save();               // write ahead: on disk before it is on the wire
            } catch (IOException e) {
                state.removeUnacked(message.cid());
                fail(message.cid(), new IOException("cannot save " + state.file() + ": " + e.getMessage(), e));
                return;
            }
            pump();
        })) {
            fail(message.cid(), new IllegalStateException("client is closed"));
        }
        return result;
    }

    /** Event thread: a new connection; whatever was in flight on the old one is re-sent on it (same cids). */
    void reconnected() {
        inFlight.clear();
    }

    /** Publishes unacknowledged messages that are not in flight yet, oldest first, at most WINDOW at once. */
    void pump() {
        ChatConnection c = session.connection;
        if (session.closed || c == null || !session.subscribed || !c.isConnected()) {
            return;     // the next connection calls pump again
        }
        for (LocalState.Pending message : session.state.unacked()) {
            if (inFlight.size() >= WINDOW) {
                return;     // the next acknowledgement calls pump again
            }
            if (inFlight.containsKey(message.cid())) {
                continue;
            }
            Object attempt = new Object();
            inFlight.put(message.cid(), attempt);
            c.publish(message.topic(), payload(message))
                    .whenCompleteAsync((ok, error) -> published(message, attempt, error), session.events);
        }
    }

    private void published(LocalState.Pending message, Object attempt, Throwable error) {
        inFlight.remove(message.cid(), attempt);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null) {
            // PUBACK. MQTT 5: stored. MQTT 3.1.1: stored, or refused with an error event on our inbox.
            // Either way the server has it: never send it again. send() completes with the inbox copy.
            forget(message.cid());
            pump();
        } else if (cause instanceof SendRefusedException refused && !refused.retryable()) {
            forget(message.cid());
            fail(message.cid(), refused);
            pump();
        } else {
            // Not sent, dropped with the connection, window full, or storage unavailable: still ours.
            if (cause instanceof SendRefusedException refused) {
                session.status("server could not store " + message.cid() + " (" + refused.getMessage() + "); retrying");
            }
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (!retryScheduled && !session.closed) {
            retryScheduled = true;
            session.events.schedule(() -> {
                retryScheduled = false;
                pump();
            }, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Event thread: the stored copy of something we sent arrived — it is safe, and it confirms our send(). */
    void confirmed(ChatMessage stored) {
        forget(stored.cid());
        CompletableFuture<ChatMessage> sent = waiting.remove(stored.cid());
        if (sent != null) {
            sent.complete(stored);
        }
    }

    /**
     * Event thread: MQTT 3.1.1's refusal of a publish, an error event on our inbox (for MQTT 5 the PUBACK says
     * it). A retryable one (storage unavailable) is sent again later; any other ends the send.
     */
    void refused(String cid, SendRefusedException refused) {
        if (cid == null || (session.state.unacked(cid).isEmpty() && !waiting.containsKey(cid))) {
            session.status("server error event: " + refused.getMessage());
            return;
        }
        if (refused.retryable()) {
            session.status("server could not store " + cid + "; retrying");
            scheduleRetry();
            return;
        }
        forget(cid);
        fail(cid, refused);
    }

    /** The client is closing: every send still waiting fails; its message stays in the state file. */
    void failAll(Throwable error) {
        waiting.keySet().forEach(cid -> fail(cid, error));
    }

    /**
     * The wire format of a message: {@code {"cid","type","body"}}, plus {@code "mentions"} for a group message
     * that mentions someone — the server adds everything else.
     */
    static byte[] payload(LocalState.Pending message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("cid", message.cid());
        node.put("type", message.type());
        node.set("body", message.body());
        if (message.mentions() != null) {
            message.mentions().forEach(node.putArray("mentions")::add);
        }
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void forget(String cid) {
        if (session.state.removeUnacked(cid)) {
            session.save();
        }
    }

    void fail(String cid, Throwable error) {
        CompletableFuture<ChatMessage> sent = waiting.remove(cid);
        if (sent != null) {
            sent.completeExceptionally(error);
        }
    }
}
