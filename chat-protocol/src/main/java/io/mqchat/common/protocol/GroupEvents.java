package io.mqchat.common.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;

/**
 * Bodies of group event messages: stored in the group conversation with type {@value ChatMessage#EVENT_TYPE},
 * {@code from} = who did it, {@code dev} = {@value ChatMessage#SERVER_DEVICE}, so they sync, page and order
 * with the chat messages. The body is {@code {"event": name, ...}}; clients show unknown events generically.
 *
 * <ul>
 *   <li>{@code created} {@code name, members}</li>
 *   <li>{@code members_added} {@code users} (added by an admin)</li>
 *   <li>{@code member_joined} {@code user, via} ({@code invitation}, {@code request} or {@code open})</li>
 *   <li>{@code member_left} / {@code member_removed} {@code user}</li>
 *   <li>{@code role_changed} {@code user, role}; {@code owner_changed} {@code user}</li>
 *   <li>{@code member_muted} {@code user, until}; {@code member_unmuted} {@code user}</li>
 *   <li>{@code group_muted} / {@code group_unmuted}</li>
 *   <li>{@code updated} {@code fields} (names of the changed fields: name, description, avatarUrl, joinPolicy, ...)</li>
 *   <li>{@code dissolved}</li>
 * </ul>
 */
public final class GroupEvents {

    public static final String CREATED = "created";
    public static final String MEMBERS_ADDED = "members_added";
    public static final String MEMBER_JOINED = "member_joined";
    public static final String MEMBER_LEFT = "member_left";
    public static final String MEMBER_REMOVED = "member_removed";
    public static final String ROLE_CHANGED = "role_changed";
    public static final String OWNER_CHANGED = "owner_changed";
    public static final String MEMBER_MUTED = "member_muted";
    public static final String MEMBER_UNMUTED = "member_unmuted";
    public static final String GROUP_MUTED = "group_muted";
    public static final String GROUP_UNMUTED = "group_unmuted";
    public static final String UPDATED = "updated";
    public static final String DISSOLVED = "dissolved";

    private GroupEvents() {
    }

    public static ObjectNode created(String name, Collection<String> members) {
        ObjectNode n = event(CREATED);
        n.put("name", name);
        members.forEach(n.putArray("members")::add);
        return n;
    }

    public static ObjectNode membersAdded(Collection<String> users) {
        ObjectNode n = event(MEMBERS_ADDED);
        users.forEach(n.putArray("users")::add);
        return n;
    }

    /** @param via {@code invitation}, {@code request} or {@code open} */
    public static ObjectNode memberJoined(String user, String via) {
        return event(MEMBER_JOINED).put("user", user).put("via", via);
    }

    public static ObjectNode memberLeft(String user) {
        return event(MEMBER_LEFT).put("user", user);
    }

    public static ObjectNode memberRemoved(String user) {
        return event(MEMBER_REMOVED).put("user", user);
    }

    public static ObjectNode roleChanged(String user, String role) {
        return event(ROLE_CHANGED).put("user", user).put("role", role);
    }

    public static ObjectNode ownerChanged(String user) {
        return event(OWNER_CHANGED).put("user", user);
    }

    public static ObjectNode memberMuted(String user, long until) {
        return event(MEMBER_MUTED).put("user", user).put("until", until);
    }

    public static ObjectNode memberUnmuted(String user) {
        return event(MEMBER_UNMUTED).put("user", user);
    }

    public static ObjectNode groupMuted() {
        return event(GROUP_MUTED);
    }

    public static ObjectNode groupUnmuted() {
        return event(GROUP_UNMUTED);
    }

    public static ObjectNode updated(Collection<String> fields) {
        ObjectNode n = event(UPDATED);
        fields.forEach(n.putArray("fields")::add);
        return n;
    }

    public static ObjectNode dissolved() {
        return event(DISSOLVED);
    }

    private static ObjectNode event(String name) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event", name);
        return n;
    }
}
