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
 * @param body content
 */
public record ChatMessage(String id, String conv, long seq, String from, String to, long ts, String dev,
                          String cid, String type, JsonNode body) {

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
                node.get("body"));
    }
}
