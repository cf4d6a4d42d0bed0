package io.mqchat.common.groups;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.redisson.api.RedissonClient;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes server-originated messages (group events) into a group conversation: the same seq counter as
 * the members' messages (Redis), stored in {@code messages} before anyone is told, and the group summary
 * moved on. Blocking; for the REST services. Delivery is the caller's business (the broker bus).
 */
public final class GroupEventLog {

    private static final int MAX_SEQ_CONFLICTS = 3;

    private final MongoCollection<Document> messages;
    private final ConversationSummaries summaries;
    private final SequenceAllocator sequences;
    private final Clock clock;

    public GroupEventLog(MongoCollection<Document> messages, ConversationSummaries summaries, RedissonClient redis,
                         Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
        this.sequences = new SequenceAllocator(redis, conv -> CompletableFuture.completedFuture(maxSeq(conv)));
        this.clock = clock;
    }

    /**
     * Takes the next seq of the group's conversation without writing anything yet, so that new members'
     * {@code fromSeq} can point at the event announcing them. An unused seq becomes a hole, which sync skips.
     */
    public long reserveSeq(String groupId) {
        return join(sequences.next(conv(groupId)).toCompletableFuture());
    }

    /** Stores an event at the next seq. */
    public ChatMessage append(String groupId, String actor, ObjectNode body) {
        return write(groupId, reserveSeq(groupId), actor, body);
    }

    /** Stores an event at a {@link #reserveSeq reserved} seq (or a later one if the counter was stale). */
    public ChatMessage write(String groupId, long seq, String actor, ObjectNode body) {
        String conv = conv(groupId);
        long s = seq;
        for (int attempt = 1; ; attempt++) {
            ChatMessage event = new ChatMessage(new ObjectId().toHexString(), conv, s, actor, groupId, clock.millis(),
                    ChatMessage.SERVER_DEVICE, "evt-" + UUID.randomUUID(), ChatMessage.EVENT_TYPE, body);
            try {
                messages.insertOne(MessageDocuments.toDocument(event));
                summaries.apply(List.of(event));
                return event;
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY || attempt >= MAX_SEQ_CONFLICTS) {
                    throw e;
                }
                // Redis lost the counter and was seeded below a message still in flight: move past it.
                join(sequences.resync(conv).toCompletableFuture());
                s = reserveSeq(groupId);
            }
        }
    }

    private long maxSeq(String conv) {
        Document d = messages.find(Filters.eq(StoreSchema.Message.CONV, conv))
                .sort(Sorts.descending(StoreSchema.Message.SEQ)).projection(Projections.include(StoreSchema.Message.SEQ))
                .limit(1).first();
        return d == null ? 0 : ((Number) d.get(StoreSchema.Message.SEQ)).longValue();
    }

    private static String conv(String groupId) {
        return ConversationId.group(groupId).toString();
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("sequence allocation timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
