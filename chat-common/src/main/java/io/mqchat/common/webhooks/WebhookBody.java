package io.mqchat.common.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.store.ConversationSummaries;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The body of one delivery: {@code {"deliveryId","event","ts","data":{...}}}, serialized once by
 * {@link Json#MAPPER} when the delivery is queued; that exact text is what every attempt sends and signs.
 *
 * @param deliveryId the delivery's id (the same at every attempt: receivers dedupe by it)
 * @param event      one of {@link WebhookEvents}
 * @param ts         when the event happened, ms since the epoch
 * @param data       one of the data records below
 */
public record WebhookBody(String deliveryId, String event, long ts, Object data) {

    /** {@code message.stored}: {@code preview} is the start of a text body (null for other bodies). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MessageStored(String id, String conv, long seq, String from, String to, long ts, String type,
                                @Nullable String preview) {
        public static MessageStored of(ChatMessage m) {
            return new MessageStored(m.id(), m.conv().toString(), m.seq(), m.from(), m.to(), m.ts(), m.type(),
                    ConversationSummaries.Preview.textOf(m));
        }
    }

    /** {@code message.offline}: {@code user} is the recipient with no device online. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MessageOffline(String user, String conv, String id, long seq, String from, long ts, String type,
                                 @Nullable String preview) {
        public static MessageOffline of(String user, ChatMessage m) {
            return new MessageOffline(user, m.conv().toString(), m.id(), m.seq(), m.from(), m.ts(), m.type(),
                    ConversationSummaries.Preview.textOf(m));
        }
    }

    /** {@code user.online} / {@code user.offline}: the devices online after the change (empty when offline). */
    public record UserPresence(String user, boolean online, java.util.List<String> devices) {
    }

    /**
     * {@code group.changed}: {@code change} is the group event's name (e.g. {@code member_added}), {@code detail}
     * the group event's body as members get it.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record GroupChanged(String groupId, String change, String actor, @Nullable JsonNode detail) {
    }

    /** {@code webhook.test}: who fired it. */
    public record Test(String endpoint, String by) {
    }

    public byte[] toJsonBytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook body cannot be serialized", e);
        }
    }

    /** Reads a body back (receivers, tests); {@code data} comes back as plain JSON values. */
    public static WebhookBody fromJson(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, WebhookBody.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data} as one of the records above. */
    public <T> T data(Class<T> type) {
        return Json.MAPPER.convertValue(data, type);
    }
}
