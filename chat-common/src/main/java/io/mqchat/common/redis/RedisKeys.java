package io.mqchat.common.redis;

/** Every Redis key mqchat uses, in one place (all prefixed {@code mqchat:}). */
public final class RedisKeys {

    private RedisKeys() {
    }

    /** The last allocated seq of a conversation (an integer; INCR allocates the next). */
    public static String conversationSeq(String conv) {
        return "mqchat:seq:{" + conv + "}";
    }
}
