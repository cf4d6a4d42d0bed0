package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Group events as people read them. A group event is a stored message of the group conversation with
 * {@code type} {@value ChatMessage#EVENT_TYPE}, {@code dev} {@value ChatMessage#SERVER_DEVICE}, {@code from} =
 * who did it and a body {@code {"event": name, ...}} (see {@link GroupEvents}); events this client does not
 * know are shown generically.
 */
public final class GroupEventText {

    private GroupEventText() {
    }

    /** Whether {@code message} is a group event (rather than something a member said). */
    public static boolean isEvent(ChatMessage message) {
        return ChatMessage.EVENT_TYPE.equals(message.type()) && groupId(message.conv()) != null;
    }

    /** The event's name ({@code members_added}, ...), {@code ""} if the body has none. */
    public static String name(ChatMessage event) {
        return event.body() == null ? "" : event.body().path("event").asText("");
    }

    /** The group id of a group conversation id {@code g:{groupId}}, {@code null} for other conversations. */
    public static String groupId(String conv) {
        return ConversationId.groupOf(conv).orElse(null);
    }

    /** The group id of a group conversation, {@code null} for other conversations. */
    public static String groupId(ConversationId conv) {
        return conv.isGroup() ? conv.first() : null;
    }

    /**
     * Whether this event ends {@code me}'s membership: removed, left, or the group dissolved. After it the server
     * sends nothing more of the group to {@code me} — neither live nor by sync.
     */
    public static boolean endsMembership(ChatMessage message, String me) {
        if (!isEvent(message)) {
            return false;
        }
        String user = message.body().path("user").asText(null);
        return switch (name(message)) {
            case GroupEvents.MEMBER_REMOVED, GroupEvents.MEMBER_LEFT -> me.equals(user);
            case GroupEvents.DISSOLVED -> true;
            default -> false;
        };
    }

    /** {@code alice added bob, carol}, {@code bob left}, {@code alice muted bob until 2030-01-01T10:00:00Z}, ... */
    public static String render(ChatMessage event) {
        JsonNode body = event.body() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                : event.body();
        String by = event.from();
        String user = body.path("user").asText("?");
        return switch (name(event)) {
            case GroupEvents.CREATED -> by + " created the group '" + body.path("name").asText("")
                    + "'" + (users(body.path("members")).isEmpty() ? "" : " with " + join(users(body.path("members"))));
            case GroupEvents.MEMBERS_ADDED -> by + " added " + join(users(body.path("users")));
            case GroupEvents.MEMBER_JOINED -> user + " joined"
                    + (body.hasNonNull("via") ? " (" + body.get("via").asText() + ")" : "");
            case GroupEvents.MEMBER_LEFT -> user + " left";
            case GroupEvents.MEMBER_REMOVED -> user.equals(by) ? user + " left" : by + " removed " + user;
            case GroupEvents.ROLE_CHANGED -> by + " made " + user + " " + article(body.path("role").asText("member"));
            case GroupEvents.OWNER_CHANGED -> by + " made " + user + " the owner";
            case GroupEvents.MEMBER_MUTED -> by + " muted " + user
                    + (body.path("until").asLong() > 0 ? " until " + Instant.ofEpochMilli(body.get("until").asLong()) : "");
            case GroupEvents.MEMBER_UNMUTED -> by + " unmuted " + user;
            case GroupEvents.GROUP_MUTED -> by + " muted the group: only admins and the owner may speak";
            case GroupEvents.GROUP_UNMUTED -> by + " unmuted the group";
            case GroupEvents.UPDATED -> by + " changed the group's " + join(users(body.path("fields")));
            case GroupEvents.DISSOLVED -> by + " dissolved the group";
            default -> by + ": " + (name(event).isEmpty() ? "event" : name(event)) + " " + body;
        };
    }

    private static List<String> users(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    private static String join(List<String> names) {
        return names.isEmpty() ? "?" : String.join(", ", names);
    }

    private static String article(String role) {
        return (role.startsWith("a") || role.startsWith("o") ? "an " : "a ") + role;
    }
}
