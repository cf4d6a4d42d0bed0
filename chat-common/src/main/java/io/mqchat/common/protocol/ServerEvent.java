package io.mqchat.common.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Events the server sends to inboxes next to chat messages. A chat message always has a {@code seq};
 * an event never has one and is identified by its {@code type}: {@code error} (see {@link ErrorEvent}),
 * {@code kick}, {@code read}, {@code recall}.
 */
public final class ServerEvent {

    public static final String KICK = "kick";
    public static final String READ = "read";
    public static final String RECALL = "recall";

    private ServerEvent() {
    }

    /** A device was logged out: {@code {"type":"kick","device":"phone","reason":"..."}}. */
    public static String kick(String deviceType, String reason, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", KICK);
        n.put("device", deviceType);
        n.put("reason", reason);
        n.put("ts", ts);
        return write(n);
    }

    /** {@code user} has read {@code conv} up to {@code seq}: {@code {"type":"read","conv","by","seq","ts"}}. */
    public static String read(String conv, String user, long seq, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", READ);
        n.put("conv", conv);
        n.put("by", user);
        n.put("upTo", seq); // not "seq": only chat messages have a seq

        n.put("ts", ts);
        return write(n);
    }

    /** A message was recalled: {@code {"type":"recall","conv","id","msgSeq","by","ts"}}. */
    public static String recall(String conv, String messageId, long messageSeq, String user, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", RECALL);
        n.put("conv", conv);
        n.put("id", messageId);
        n.put("msgSeq", messageSeq);
        n.put("by", user);
        n.put("ts", ts);
        return write(n);
    }

    static String write(ObjectNode n) {
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
