package io.mqchat.common.protocol;

import java.util.Optional;

/**
 * Identifies a conversation: direct {@code d:{smallerUserId}:{largerUserId}} (ordered, so both sides
 * name it the same way) or group {@code g:{groupId}}. Each conversation has its own {@code seq}.
 */
public record ConversationId(Type type, String first, String second) {

    /** Direct (two users) or group. */
    public enum Type {
        DIRECT, GROUP
    }

    public static ConversationId direct(String userA, String userB) {
        if (!Ids.isValidUserId(userA) || !Ids.isValidUserId(userB)) {
            throw new IllegalArgumentException("invalid user id in direct conversation");
        }
        return userA.compareTo(userB) <= 0
                ? new ConversationId(Type.DIRECT, userA, userB)
                : new ConversationId(Type.DIRECT, userB, userA);
    }

    public static ConversationId group(String groupId) {
        if (!Ids.isValidGroupId(groupId)) {
            throw new IllegalArgumentException("invalid group id");
        }
        return new ConversationId(Type.GROUP, groupId, null);
    }

    /** The group of a group conversation id {@code g:{groupId}}; empty for a direct or an invalid one. */
    public static Optional<String> groupOf(String text) {
        return parse(text).filter(c -> c.type() == Type.GROUP).map(ConversationId::first);
    }

    /** Parses the text form; empty when it is not a valid conversation id. */
    public static Optional<ConversationId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.startsWith("g:")) {
            String group = text.substring(2);
            return Ids.isValidGroupId(group) ? Optional.of(group(group)) : Optional.empty();
        }
        if (text.startsWith("d:")) {
            String[] parts = text.substring(2).split(":", -1);
            if (parts.length != 2 || !Ids.isValidUserId(parts[0]) || !Ids.isValidUserId(parts[1])
                    || parts[0].compareTo(parts[1]) > 0) {
                return Optional.empty();
            }
            return Optional.of(new ConversationId(Type.DIRECT, parts[0], parts[1]));
        }
        return Optional.empty();
    }

    /** For a direct conversation: whether the user is one of its two sides. */
    public boolean isDirectParticipant(String userId) {
        return type == Type.DIRECT && (first.equals(userId) || second.equals(userId));
    }

    /** For a direct conversation: the other side as seen from {@code userId}. */
    public String peerOf(String userId) {
        if (!isDirectParticipant(userId)) {
            throw new IllegalArgumentException(userId + " is not in " + this);
        }
        return first.equals(userId) ? second : first;
    }

    @Override
    public String toString() {
        return type == Type.DIRECT ? "d:" + first + ":" + second : "g:" + first;
    }
}
