package io.mqchat.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
 */
public record ChatMessage(String id, String conv, long seq, String from, String to, long ts, String dev,
                          String cid, String type, JsonNode body, Long recalledAt, java.util.List<String> mentions) {

    /** The type of a recalled message (reserved: clients cannot send it). */
    public static final String RECALLED_TYPE = "recalled";
    /** The type of a server-written group event (membership, roles, mutes; reserved: clients cannot send it). */
    public static final String EVENT_TYPE = "event";
    /** The {@code dev} of server-written messages. */
    public static final String SERVER_DEVICE = "server";
    /** In {@code mentions}: everyone in the group (admins and the owner only). */
    public static final String MENTION_ALL = "all";

    public ChatMessage {
        mentions = mentions == null || mentions.isEmpty() ? null : java.util.List.copyOf(mentions);
    }

    /** A message without mentions. */
    public ChatMessage(String id, String conv, long seq, String from, String to, long ts, String dev,
                       String cid, String type, JsonNode body, Long recalledAt) {
        this(id, conv, seq, from, to, ts, dev, cid, type, body, recalledAt, null);
    }

    /** A message that was not recalled. */
    public ChatMessage(String id, String conv, long seq, String from, String to, long ts, String dev,
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
        return new ChatMessage(id, conv, seq, from, to, ts, dev, cid, RECALLED_TYPE, null, at, null);
    }

    /** The JSON envelope delivered over MQTT and returned by history. */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", id);
        node.put("conv", conv);
        node.put("seq", seq);
        node.put("from", from);
        node.put("to", to);
        node.put("ts", ts);
        node.put("dev", dev);
        node.put("cid", cid);
        node.put("type", type);
        node.set("body", body);
        if (recalledAt != null) {
            node.put("recalledAt", recalledAt);
        }
        if (mentions != null) {
            mentions.forEach(node.putArray("mentions")::add);
        }
        return node;
    }

    public byte[] toJsonBytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(toJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise message " + id, e);
        }
    }

    /** Reads a delivered envelope (used by clients and tests). */
    public static ChatMessage fromJson(JsonNode node) {
        return new ChatMessage(node.path("id").asText(), node.path("conv").asText(), node.path("seq").asLong(),
                node.path("from").asText(), node.path("to").asText(), node.path("ts").asLong(),
                node.path("dev").asText(), node.path("cid").asText(), node.path("type").asText(),
                node.get("body") == null || node.get("body").isNull() ? null : node.get("body"),
                node.hasNonNull("recalledAt") ? node.get("recalledAt").asLong() : null,
                node.get("mentions") != null && node.get("mentions").isArray()
                        ? java.util.stream.StreamSupport.stream(node.get("mentions").spliterator(), false)
                        .map(JsonNode::asText).toList() : null);
    }
}
