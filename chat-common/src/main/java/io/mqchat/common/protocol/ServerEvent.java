package io.mqchat.common.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Events the server sends to inboxes next to chat messages. A chat message always has a {@code seq};
 * an event never has one and is identified by its {@code type}: {@code error} (see {@link ErrorEvent}),
 * {@code kick}, {@code read}, {@code recall}, {@code group_invitation}, {@code group_join_request}.
 */
public final class ServerEvent {

    public static final String KICK = "kick";
    public static final String READ = "read";
    public static final String RECALL = "recall";
    public static final String GROUP_INVITATION = "group_invitation";
    public static final String GROUP_JOIN_REQUEST = "group_join_request";

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

    /**
     * An admin of the service removed a message for everyone: the recall event with the admin in {@code by},
     * their {@code reason} and {@code "admin": true}:
     * {@code {"type":"recall","conv","id","msgSeq","by","reason","admin":true,"ts"}}.
     */
    public static String removal(String conv, String messageId, long messageSeq, String admin, String reason, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", RECALL);
        n.put("conv", conv);
        n.put("id", messageId);
        n.put("msgSeq", messageSeq);
        n.put("by", admin);
        n.put("reason", reason);
        n.put("admin", true);
        n.put("ts", ts);
        return write(n);
    }

    /**
     * You were invited to a group: {@code {"type":"group_invitation","groupId","name","by","ts"}} (accept or
     * decline over REST).
     */
    public static String groupInvitation(String groupId, String groupName, String by, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", GROUP_INVITATION);
        n.put("groupId", groupId);
        n.put("name", groupName);
        n.put("by", by);
        n.put("ts", ts);
        return write(n);
    }

    /**
     * To a group's owner and admins: {@code user} asks to join:
     * {@code {"type":"group_join_request","groupId","name","user","ts"}} (approve or reject over REST).
     */
    public static String groupJoinRequest(String groupId, String groupName, String user, long ts) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", GROUP_JOIN_REQUEST);
        n.put("groupId", groupId);
        n.put("name", groupName);
        n.put("user", user);
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
