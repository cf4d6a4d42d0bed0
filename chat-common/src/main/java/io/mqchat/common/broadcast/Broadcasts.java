package io.mqchat.common.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.store.ConversationLog;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sends an operator's broadcast: stores it once (read diffusion) — in the system conversation for everyone or
 * for listed users, in the group's conversation for a group — from {@link Ids#SYSTEM_USER}, then asks the
 * broker nodes to deliver it: to the inbox of every device connected to each node ({@link Topics#BROADCAST}), the
 * listed users' inboxes, or the group topic. Who may broadcast, and whether the listed
 * users and the group exist, is the caller's business.
 */
public final class Broadcasts {

    /** The type of a broadcast: a text message, as users send, from {@link Ids#SYSTEM_USER}. */
    public static final String TYPE = "text";

    private final ConversationLog log;
    private final Consumer<BusMessage> bus;

    public Broadcasts(ConversationLog log, Consumer<BusMessage> bus) {
        this.log = log;
        this.bus = bus;
    }

    /**
     * Stores the broadcast, then hands its delivery to the bus. Throws when it could not be stored (nothing was
     * sent); a failure of the bus after storing is thrown as {@link DeliveryFailed}, the message being stored
     * (devices find it by sync).
     */
    public ChatMessage send(JsonNode text, Audience audience) {
        ChatMessage stored;
        if (audience instanceof Audience.Group g) {
            stored = log.append(ConversationId.group(g.groupId()),
                    new ConversationLog.Entry(Ids.SYSTEM_USER, g.groupId(), TYPE, text, null));
        } else {
            List<String> listed = audience instanceof Audience.Users u ? u.ids() : null;
            stored = log.append(ConversationId.SYSTEM,
                    new ConversationLog.Entry(Ids.SYSTEM_USER, ConversationId.SYSTEM_TEXT, TYPE, text, listed));
        }
        String payload = new String(stored.toJsonBytes(), StandardCharsets.UTF_8);
        try {
            if (audience instanceof Audience.Group g) {
                bus.accept(BusMessage.group(g.groupId(), List.of(), List.of(), payload));
            } else if (audience instanceof Audience.Users u) {
                u.ids().forEach(user -> bus.accept(BusMessage.publish(Topics.inbox(user), payload)));
            } else {
                bus.accept(BusMessage.publish(Topics.BROADCAST, payload));
            }
        } catch (RuntimeException e) {
            throw new DeliveryFailed(stored, e);
        }
        return stored;
    }

    /** The broadcast is stored but its live delivery could not be handed to the bus. */
    public static final class DeliveryFailed extends RuntimeException {

        private final transient ChatMessage stored;

        DeliveryFailed(ChatMessage stored, RuntimeException cause) {
            super("broadcast " + stored.id() + " stored, its delivery not sent: " + cause, cause);
            this.stored = stored;
        }

        public ChatMessage stored() {
            return stored;
        }
    }
}
