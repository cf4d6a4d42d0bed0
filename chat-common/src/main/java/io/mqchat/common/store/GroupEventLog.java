package io.mqchat.common.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import org.bson.Document;
import org.redisson.api.RedissonClient;

import java.time.Clock;

/**
 * Writes server-originated messages (group events) into a group conversation ({@link ConversationLog}): the
 * same seq counter as the members' messages, stored before anyone is told, the group summary moved on.
 * Blocking; for the REST services. Delivery is the caller's business (the broker bus).
 */
public final class GroupEventLog {

    private final ConversationLog log;

    public GroupEventLog(MongoCollection<Document> messages, SummaryWriter summaries, RedissonClient redis,
                         Clock clock) {
        this.log = new ConversationLog(messages, summaries, redis, clock);
    }

    /**
     * Takes the next seq of the group's conversation without writing anything yet, so that new members'
     * {@code fromSeq} can point at the event announcing them. An unused seq becomes a hole, which sync skips.
     */
    public long reserveSeq(String groupId) {
        return log.reserveSeq(ConversationId.group(groupId));
    }

    /** Stores an event at the next seq. */
    public ChatMessage append(String groupId, String actor, ObjectNode body) {
        return write(groupId, reserveSeq(groupId), actor, body);
    }

    /** Stores an event at a {@link #reserveSeq reserved} seq (or a later one if the counter was stale). */
    public ChatMessage write(String groupId, long seq, String actor, ObjectNode body) {
        return log.write(ConversationId.group(groupId), seq,
                new ConversationLog.Entry(actor, groupId, ChatMessage.EVENT_TYPE, body, null));
    }
}
