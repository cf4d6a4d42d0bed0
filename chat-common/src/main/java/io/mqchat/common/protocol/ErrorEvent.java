package io.mqchat.common.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sent to the sending device's inbox when its publish was refused and the client cannot learn it
 * from the acknowledgement (MQTT 3.1.1 has no PUBACK reason codes):
 * {@code {"type":"error","cid":"...","code":"malformed_payload","reason":"...","topic":"chat/u/bob"}}.
 */
public record ErrorEvent(String cid, ProtocolError error, String reason, String topic) {

    public static final String TYPE = "error";

    public byte[] toJsonBytes() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", TYPE);
        if (cid != null) {
            node.put("cid", cid);
        }
        node.put("code", error.code());
        node.put("reason", reason);
        node.put("topic", topic);
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
