package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ServerEvent;

import java.io.IOException;
import java.util.Map;

/**
 * What reaches this device, live or by sync, on the event thread: stored messages go through the local state
 * (exactly once, in seq order per conversation; a gap asks for a sync), server events reach the app's event
 * listeners, 3.1.1 error events end or retry a send, a kick logs the client out.
 */
final class Inbound {

    private final ClientSession session;
    private final Outbox outbox;
    /** Asks for a sync (a seq is missing); run on the event thread. */
    private final Runnable syncWanted;

    Inbound(ClientSession session, Outbox outbox, Runnable syncWanted) {
        this.session = session;
        this.outbox = outbox;
        this.syncWanted = syncWanted;
    }

    /** A payload on {@code topic}: a stored message (it has a seq), an error event or a server event. */
    void onPayload(String topic, byte[] payload) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            session.status("ignored an unreadable message on " + topic);
            return;
        }
        if (node == null || !node.isObject()) {
            session.status("ignored a non-object message on " + topic);
        } else if (node.has("seq")) {
            onChatMessage(ChatMessage.fromJson(node), true);     // only chat messages have a seq
        } else {
            ServerEvent event = ServerEvent.parse(node);    // null: a type we do not know; ignore it
            if (event instanceof ServerEvent.Refusal refusal) {
                // MQTT 3.1.1's way of refusing a publish
                outbox.refused(refusal.cid(), new SendRefusedException(refusal.code() == null ? "refused"
                        : refusal.code(), refusal.reason() == null ? "" : refusal.reason()));
                return;
            }
            if (event != null && !(event instanceof ServerEvent.Sync)) { // sync answers only MQTT sync requests
                session.emit(event);
            }
            if (event instanceof ServerEvent.Kick kick) {
                session.loggedOut("logged out: " + (kick.reason().isEmpty() ? "this " + kick.device()
                        + " logged in elsewhere" : kick.reason()) + "; log in again");
            }
        }
    }

    /** Handles a stored message, live or from sync; returns how many messages were delivered. */
    int onChatMessage(ChatMessage message, boolean live) {
        if (session.isOwn(message) && message.cid() != null) {
            outbox.confirmed(message);
        }
        LocalState state = session.state;
        int delivered = session.deliver(state.receive(message));
        if (GroupEventText.endsMembership(message, session.user)) {
            // Removed, left, or dissolved: the server sends nothing more of this group, and sync leaves it out.
            // Whatever still waits behind a gap below this event will never come: deliver up to it now, and
            // do not keep syncing for the gap.
            delivered += session.deliver(state.completeUpTo(message.conv().toString(), message.seq()));
        }
        if (live && state.hasGap(message.conv().toString()) && session.historyService != null) {
            syncWanted.run();      // a seq is missing: sync fetches it, or says it is a permanent hole
        }
        return delivered;
    }

    /**
     * Delivers a sync page's messages, then moves past the holes it reports, then passes on its recalls (as
     * recall events, the path of live ones: a device that was offline without a queued session learns of
     * recalls of messages it already had), then keeps the cursor.
     */
    int onSyncPage(ServerEvent.Sync page) {
        int delivered = 0;
        for (ChatMessage message : page.messages()) {
            delivered += onChatMessage(message, false);
        }
        for (ServerEvent.Sync.Recalled recall : page.recalls()) {
            session.emit(recall.asEvent());
        }
        LocalState state = session.state;
        for (Map.Entry<String, Long> complete : page.complete().entrySet()) {
            delivered += session.deliver(state.completeUpTo(complete.getKey(), complete.getValue()));
        }
        for (String conv : page.left()) {
            // removed (or the group dissolved) while this device was away: nothing more comes from there
            delivered += session.deliver(state.closeGroup(conv));
            session.status("no longer a member of " + conv);
        }
        state.syncCursor(page.cursor());
        session.save();     // after the messages: a crash in between only means the page comes again (deduped)
        return delivered;
    }
}
