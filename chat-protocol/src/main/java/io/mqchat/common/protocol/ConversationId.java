package io.mqchat.common.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

import java.util.Optional;

/**
 * Identifies a conversation: direct {@code d:{smallerUserId}:{largerUserId}} (ordered, so both sides
 * name it the same way), group {@code g:{groupId}}, or the system conversation {@code s:all} (the operators'
 * broadcasts: every user reads it, nobody writes to it but the server). Each conversation has its own
 * {@code seq}. In JSON it is its text form.
 */
public final class ConversationId {

    /** Direct (two users), group, or the system conversation. */
    public enum Type {
        DIRECT, GROUP, SYSTEM
    }

    /** The text form of {@link #SYSTEM}. */
    public static final String SYSTEM_TEXT = "s:all";
    /**
     * The system conversation: the operators' broadcasts, stored once and read by every user (read
     * diffusion, like a group everyone is in from its first seq; no user can send there).
     */
    public static final ConversationId SYSTEM = new ConversationId(Type.SYSTEM, "all", null);

    private final Type type;
    private final String first;
    private final String second;
    /** The text form, made once: every stored and delivered message carries it. */
    private final String text;

    private ConversationId(Type type, String first, String second) {
        this.type = type;
        this.first = first;
        this.second = second;
        this.text = switch (type) {
            case DIRECT -> "d:" + first + ":" + second;
            case GROUP -> "g:" + first;
            case SYSTEM -> SYSTEM_TEXT;
        };
    }

    /** Direct, group or system. */
    public Type type() {
        return type;
    }

    /** The smaller user id of a direct conversation, the group id of a group one, {@code all} for the system one. */
    public String first() {
        return first;
    }

    /** The larger user id of a direct conversation; null otherwise. */
    public @Nullable String second() {
        return second;
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
    public static Optional<String> groupOf(@Nullable String text) {
        return parse(text).filter(c -> c.type() == Type.GROUP).map(ConversationId::first);
    }

    /** Reads the text form (JSON); throws {@link IllegalArgumentException} when it is not a conversation id. */
    @JsonCreator
    public static ConversationId of(@Nullable String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not a conversation id: "
                + (text == null ? "null" : text.length() > 80 ? text.substring(0, 80) + "..." : text)));
    }

    /** Parses the text form; empty when it is not a valid conversation id. */
    public static Optional<ConversationId> parse(@Nullable String text) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.equals(SYSTEM_TEXT)) {
            return Optional.of(SYSTEM);
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

    /**
     * Whether the conversation is stored once for all its readers (groups and the system conversation): one
     * shared summary, each reader's own read position.
     */
    public boolean sharedByReaders() {
        return type != Type.DIRECT;
    }

    /** Whether this is a group conversation. */
    public boolean isGroup() {
        return type == Type.GROUP;
    }

    /** The text form: {@code d:alice:bob}, {@code g:team}, {@code s:all}. */
    @JsonValue
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConversationId other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
