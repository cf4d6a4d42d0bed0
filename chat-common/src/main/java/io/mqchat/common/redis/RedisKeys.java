package io.mqchat.common.redis;

/** Every Redis key and channel mqchat uses, in one place (all prefixed {@code mqchat:}). */
public final class RedisKeys {

    /** The channel of {@link io.mqchat.common.bus.BusMessage}s to the broker nodes. */
    public static final String BUS_CHANNEL = "mqchat:bus";

    private RedisKeys() {
    }

    /** The last allocated seq of a conversation (an integer; INCR allocates the next). */
    public static String conversationSeq(String conv) {
        return "mqchat:seq:{" + conv + "}";
    }

    /**
     * The seq an attempt of {@code (sender, cid)} took in a conversation, kept for the retry window (same hash
     * slot as the conversation's counter, so one script touches both).
     */
    public static String retrySeq(String conv, String sender, String cid) {
        return "mqchat:retry:{" + conv + "}:" + sender + ":" + cid;
    }

    /** Hash: device type → the current login of that device ({@code DeviceLogin} JSON). */
    public static String deviceLogins(String userId) {
        return "mqchat:devices:{" + userId + "}";
    }

    /**
     * String: the ban of a user ({@code AccountBans} JSON), expiring when the ban ends; a copy of the record on
     * the user document, so that the broker refuses a banned user's CONNECT with one Redis read.
     */
    public static String ban(String userId) {
        return "mqchat:ban:{" + userId + "}";
    }

    /** Hash: device type → the connection of that device ({@code node}, {@code since}); absent = offline. */
    public static String presence(String userId) {
        return "mqchat:presence:{" + userId + "}";
    }

    /** Hash: device type → when that device was last seen online (epoch ms). */
    public static String lastSeen(String userId) {
        return "mqchat:lastseen:{" + userId + "}";
    }

    /**
     * Sorted set (all scores 0, so ordered by user id): the users with at least one presence entry — the index the
     * admin API pages through by user id. Written next to {@link #presence} by every broker node.
     */
    public static final String ONLINE_USERS = "mqchat:online-users";

    /** Set: the broker nodes that have written presence (checked for dead ones by the sweeper). */
    public static final String NODES = "mqchat:nodes";

    /** Set: the users a broker node has written presence for. */
    public static String nodeUsers(String nodeId) {
        return "mqchat:node-users:" + nodeId;
    }

    /** A broker node's heartbeat (expires when the node dies, which makes its connections offline). */
    public static String nodeHeartbeat(String nodeId) {
        return "mqchat:node:" + nodeId;
    }

    /** Hash: a token bucket of {@code kind} (publish, connect, login failures...) for one subject. */
    public static String rateBucket(String kind, String subject) {
        return "mqchat:rate:" + kind + ":{" + subject + "}";
    }
}
