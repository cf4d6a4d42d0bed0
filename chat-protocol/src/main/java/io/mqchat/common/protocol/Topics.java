package io.mqchat.common.protocol;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Optional;

/**
 * The MQTT topics of mqchat.
 *
 * <ul>
 *   <li>{@code chat/u/{userId}} — a user's inbox: publish here to send a direct message to that user;
 *       only the owner's devices may subscribe.</li>
 *   <li>{@code chat/g/{groupId}} — a group conversation.</li>
 *   <li>{@code chat/p/{userId}} — retained presence (server-published).</li>
 *   <li>{@code chat/sys/...} — reserved for the server.</li>
 * </ul>
 */
public final class Topics {

    public static final String INBOX_PREFIX = "chat/u/";
    public static final String GROUP_PREFIX = "chat/g/";
    public static final String PRESENCE_PREFIX = "chat/p/";
    public static final String SYSTEM_PREFIX = "chat/sys/";
    /**
     * The bus topic of a broadcast to everyone: never published as such; each broker node delivers it to the inbox
     * of every device connected to it.
     */
    public static final String BROADCAST = SYSTEM_PREFIX + "broadcast";
    /** {@code chat/req/{userId}}: a device's requests to the server (e.g. sync), never stored or delivered. */
    public static final String REQUEST_PREFIX = "chat/req/";
    /** {@code chat/res/{userId}/{deviceType}}: where a device may ask for its responses. */
    public static final String RESPONSE_PREFIX = "chat/res/";

    private Topics() {
    }

    /**
     * Short-lived signals (typing, ...), never stored: {@code chat/e/{user}} carries those for a user,
     * {@code chat/e/g/{group}} those in a group. Clients publish there (QoS 0); devices are subscribed by the server.
     */
    public static final String SIGNAL_PREFIX = "chat/e/";
    public static final String GROUP_SIGNAL_PREFIX = SIGNAL_PREFIX + "g/";

    public static String signals(String userId) {
        return SIGNAL_PREFIX + userId;
    }

    public static String groupSignals(String groupId) {
        return GROUP_SIGNAL_PREFIX + groupId;
    }

    /**
     * The conversation a signal topic names, the way {@link #parseChatTopic} does for chat topics: {@code chat/e/{user}}
     * a direct one (kind INBOX), {@code chat/e/g/{group}} a group; empty for anything else.
     */
    public static Optional<ChatTopic> parseSignalTopic(String topic) {
        if (topic == null || !topic.startsWith(SIGNAL_PREFIX)) {
            return Optional.empty();
        }
        if (topic.startsWith(GROUP_SIGNAL_PREFIX)) {
            return parseChatTopic(GROUP_PREFIX + topic.substring(GROUP_SIGNAL_PREFIX.length()));
        }
        return parseChatTopic(INBOX_PREFIX + topic.substring(SIGNAL_PREFIX.length()));
    }

    /**
     * MQTT 5 shared subscriptions: {@code $share/{name}/{filter}} hands each message of {@code filter} to one of the
     * sessions subscribed under {@code name} (service accounts' instances sharing their inbox).
     */
    public static final String SHARED_PREFIX = "$share/";
    private static final java.util.regex.Pattern SHARE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /**
     * A topic filter without its {@code $share/{name}/} (of a valid name); the filter itself when it is not shared,
     * and empty for a shared one that is malformed.
     */
    public static Optional<String> unsharedFilter(String filter) {
        if (!filter.startsWith(SHARED_PREFIX)) {
            return Optional.of(filter);
        }
        int slash = filter.indexOf('/', SHARED_PREFIX.length());
        if (slash < 0 || !SHARE_NAME.matcher(filter.substring(SHARED_PREFIX.length(), slash)).matches()) {
            return Optional.empty();
        }
        return Optional.of(filter.substring(slash + 1));
    }

    /** {@link #unsharedFilter}, or null for a malformed shared filter. */
    public static String unshared(String filter) {
        return unsharedFilter(filter).orElse(null);
    }

    public static String inbox(String userId) {
        return INBOX_PREFIX + userId;
    }

    public static String group(String groupId) {
        return GROUP_PREFIX + groupId;
    }

    public static String presence(String userId) {
        return PRESENCE_PREFIX + userId;
    }

    public static String request(String userId) {
        return REQUEST_PREFIX + userId;
    }

    public static String response(String userId, String deviceType) {
        return RESPONSE_PREFIX + userId + "/" + deviceType;
    }

    /**
     * Where every device of a direct or group message's conversation listens: the group topic (every member
     * device is subscribed to it), or the inboxes of both participants (one for a note to oneself). The system
     * conversation has no such topic: its messages went where their audience says.
     */
    public static List<String> conversationTopics(ChatMessage m) {
        if (m.conv().isGroup()) {
            return List.of(group(m.conv().first()));
        }
        if (m.conv().type() != ConversationId.Type.DIRECT) {
            throw new IllegalArgumentException("no conversation topics for " + m.conv());
        }
        return m.from().equals(m.to()) ? List.of(inbox(m.from())) : List.of(inbox(m.from()), inbox(m.to()));
    }

    /** A parsed chat topic. */
    public record ChatTopic(Kind kind, String id) {
    }

    /** What a chat topic addresses. */
    public enum Kind {
        INBOX, GROUP
    }

    /**
     * Parses a topic a client may publish chat messages to. Empty for anything else (system topics,
     * wildcards, extra levels, invalid ids).
     */
    public static Optional<ChatTopic> parseChatTopic(@Nullable String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        if (topic.startsWith(INBOX_PREFIX)) {
            String user = topic.substring(INBOX_PREFIX.length());
            return Ids.isValidUserId(user) ? Optional.of(new ChatTopic(Kind.INBOX, user)) : Optional.empty();
        }
        if (topic.startsWith(GROUP_PREFIX)) {
            String group = topic.substring(GROUP_PREFIX.length());
            return Ids.isValidGroupId(group) ? Optional.of(new ChatTopic(Kind.GROUP, group)) : Optional.empty();
        }
        return Optional.empty();
    }
}
