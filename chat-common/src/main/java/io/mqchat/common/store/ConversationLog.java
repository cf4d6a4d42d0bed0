package io.mqchat.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.redisson.api.RedissonClient;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Appends server-written messages (group events, broadcasts) to a conversation, blocking, for the REST
 * services: the seq from the conversation's Redis counter (the same one the broker takes members' seqs from),
 * stored in {@code messages} before anyone is told, then the summaries moved on. Delivery is the caller's
 * business (the broker bus).
 */
public final class ConversationLog {

    /**
     * How often a write may find its seq taken (Redis lost the counter and was seeded below a message still in
     * flight) before it gives up; the broker's store path keeps the same bound.
     */
    public static final int MAX_SEQ_CONFLICTS = 3;

    private final MongoCollection<Document> messages;
    private final SummaryWriter summaries;
    private final SequenceAllocator sequences;
    private final Clock clock;

    /**
     * What to write.
     *
     * @param audience who may read it, when not everyone who reads the conversation (null): stored with the
     *                 message ({@link StoreSchema.Message#AUDIENCE}), never delivered with it
     */
    public record Entry(String from, String to, String type, JsonNode body, List<String> audience) {

        public Entry {
            audience = audience == null ? null : List.copyOf(audience);
        }
    }

    public ConversationLog(MongoCollection<Document> messages, SummaryWriter summaries, RedissonClient redis,
                           Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
        this.sequences = new SequenceAllocator(redis,
                conv -> CompletableFuture.completedFuture(MessageDocuments.maxSeq(messages, conv)));
        this.clock = clock;
    }

    /**
     * Takes the next seq of the conversation without writing anything yet (so that, e.g., new members'
     * {@code fromSeq} can point at the event announcing them). An unused seq becomes a hole, which sync skips.
     */
    public long reserveSeq(ConversationId conv) {
        return join(sequences.next(conv.toString()).toCompletableFuture());
    }

    /** Stores the entry at the next seq. */
    public ChatMessage append(ConversationId conv, Entry entry) {
        return write(conv, reserveSeq(conv), entry);
    }

    /** Stores the entry at a {@link #reserveSeq reserved} seq (or a later one if the counter was stale). */
    public ChatMessage write(ConversationId conv, long seq, Entry entry) {
        long s = seq;
        for (int attempt = 1; ; attempt++) {
            ChatMessage message = new ChatMessage(new ObjectId().toHexString(), conv, s, entry.from(), entry.to(),
                    clock.millis(), ChatMessage.SERVER_DEVICE, cidPrefix(entry) + UUID.randomUUID(), entry.type(),
                    entry.body());
            Document document = MessageDocuments.toDocument(message);
            if (entry.audience() != null) {
                document.append(StoreSchema.Message.AUDIENCE, entry.audience());
            }
            try {
                messages.insertOne(document);
                summaries.apply(List.of(message), entry.audience() != null);
                return message;
            } catch (MongoWriteException e) {
                if (!UniqueInsert.isDuplicateKey(e) || attempt >= MAX_SEQ_CONFLICTS) {
                    throw e;
                }
                // Redis lost the counter and was seeded below a message still in flight: move past it.
                join(sequences.resync(conv.toString()).toCompletableFuture());
                s = reserveSeq(conv);
            }
        }
    }

    /** Server-written messages have cids of their own kind: {@code evt-} for group events, {@code srv-} else. */
    private static String cidPrefix(Entry entry) {
        return ChatMessage.EVENT_TYPE.equals(entry.type()) ? "evt-" : "srv-";
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("sequence allocation timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
