package io.mqchat.common.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * A stored chat message as every receiver sees it: the client's {@code cid/type/body} plus the
 * server-set {@code id, conv, seq, from, to, ts, dev}.
 *
 * @param id   globally unique message id (receivers dedupe by it)
 * @param conv conversation id, e.g. {@code d:alice:bob}
 * @param seq  position in the conversation, strictly increasing, may have holes
 * @param from sender user id (from the authenticated connection, never from the payload)
 * @param to   recipient user id (direct) or group id (group)
 * @param ts   server time of acceptance, milliseconds since the epoch
 * @param dev  the sender's device type
 * @param cid  the sender's client message id
 * @param type message type
 * @param body content ({@code null} once recalled)
 * @param recalledAt when the sender recalled it (ms since the epoch), {@code null} if not recalled. A recalled
 *                   message keeps {@code id, conv, seq, from, to, ts, dev, cid}; its {@code type} becomes
 *                   {@value #RECALLED_TYPE} and its body is removed.
 * @param mentions   group messages only: the user ids mentioned, or {@value #MENTION_ALL} for everyone;
 *                   {@code null} when nobody is mentioned
 * @param service    the sender is a service account (a game server or bot), not a person; written as
 *                   {@code "service":true}, absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(String id, ConversationId conv, long seq, String from, String to, long ts, String dev,
                          String cid, String type, @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable JsonNode body,
                          @Nullable Long recalledAt, @Nullable List<String> mentions,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean service) {

    /** The type of a recalled message (reserved: clients cannot send it). */
    public static final String RECALLED_TYPE = "recalled";
    /** The type of a server-written group event (membership, roles, mutes; reserved: clients cannot send it). */
    public static final String EVENT_TYPE = "event";
    /** The {@code dev} of server-written messages. */
    public static final String SERVER_DEVICE = "server";
    /** In {@code mentions}: everyone in the group (admins and the owner only). */
    public static final String MENTION_ALL = "all";

    public ChatMessage {
        body = body == null || body.isNull() || body.isMissingNode() ? null : body;
        mentions = mentions == null || mentions.isEmpty() ? null : List.copyOf(mentions);
    }

    /** A message from a person (not a service account). */
    public ChatMessage(String id, ConversationId conv, long seq, String from, String to, long ts, String dev,
                       String cid, String type, @Nullable JsonNode body, @Nullable Long recalledAt,
                       @Nullable List<String> mentions) {
        this(id, conv, seq, from, to, ts, dev, cid, type, body, recalledAt, mentions, false);
    }

    /** A message without mentions. */
    public ChatMessage(String id, ConversationId conv, long seq, String from, String to, long ts, String dev,
                       String cid, String type, JsonNode body, Long recalledAt) {
        this(id, conv, seq, from, to, ts, dev, cid, type, body, recalledAt, null);
    }

    /** A message that was not recalled. */
    public ChatMessage(String id, ConversationId conv, long seq, String from, String to, long ts, String dev,
                       String cid, String type, JsonNode body) {
        this(id, conv, seq, from, to, ts, dev, cid, type, body, null);
    }

    /** Whether this message mentions {@code user} by name or by {@value #MENTION_ALL}. */
    public boolean mentions(String user) {
        return mentions != null && (mentions.contains(user) || mentions.contains(MENTION_ALL));
    }

    public boolean recalled() {
        return recalledAt != null;
    }

    /** This message as it looks after a recall at {@code at}: same ids and positions, no content. */
    public ChatMessage asRecalled(long at) {
        return new ChatMessage(id, conv, seq, from, to, ts, dev, cid, RECALLED_TYPE, null, at, null, service);
    }

    /** The JSON envelope delivered over MQTT and returned by history. */
    public byte[] toJsonBytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise message " + id, e);
        }
    }

    /**
     * Reads a delivered envelope (clients, the bus, tests); fields this version does not know are ignored.
     *
     * @throws IllegalArgumentException when it is not an envelope (no valid {@code conv}, wrong types)
     */
    public static ChatMessage fromJson(JsonNode node) {
        try {
            return Json.MAPPER.treeToValue(node, ChatMessage.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a chat message: " + e.getOriginalMessage(), e);
        }
    }
}
