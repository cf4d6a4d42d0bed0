package io.mqchat.history.messages;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.schema.StoreSchema.Message;
import io.mqchat.common.store.MessageDocuments;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.mqchat.common.schema.StoreSchema.MESSAGES;

/**
 * Reads the {@code messages} collection (written by the broker). Every query is one conversation and a
 * seq range sorted by seq, i.e. a walk of the unique {@code (conv, seq)} index.
 */
@Repository
public class StoredMessages {

    /** A page in ascending seq order, and whether more exist beyond it in the paging direction. */
    public record Slice(List<ChatMessage> messages, boolean hasMore) {
    }

    private final MongoCollection<Document> messages;

    public StoredMessages(MongoDatabase db) {
        this.messages = db.getCollection(MESSAGES);
    }

    /** The highest stored seq of a conversation, 0 if none. */
    public long maxSeq(ConversationId conv) {
        return MessageDocuments.maxSeq(messages, conv.toString());
    }

    /** Takes a parsed (hence validated) conversation id, so no client text reaches the filter unchecked. */
    public Slice page(ConversationId conv, PageRequest page) {
        return page(conv, page, 0);
    }

    /** Only messages with {@code ts >= notBeforeTs} (the history policy {@code since-login}; 0: all). */
    public Slice page(ConversationId conv, PageRequest page, long notBeforeTs) {
        return page(conv, page, notBeforeTs, 1);
    }

    /**
     * Only messages with {@code ts >= notBeforeTs} (0: all) and {@code seq >= fromSeq} (a group member's
     * first readable seq; 1: all). Both floors are part of the query, so {@code hasMore} respects them.
     */
    public Slice page(ConversationId conv, PageRequest page, long notBeforeTs, long fromSeq) {
        return page(conv, page, notBeforeTs, fromSeq, null);
    }

    /** The same, only messages matching {@code readable} too (null: all; the system conversation's per-reader filter). */
    public Slice page(ConversationId conv, PageRequest page, long notBeforeTs, long fromSeq, Bson readable) {
        List<Bson> conditions = new ArrayList<>();
        conditions.add(Filters.eq(Message.CONV, conv.toString()));
        if (readable != null) {
            conditions.add(readable);
        }
        if (fromSeq > 1) {
            conditions.add(Filters.gte(Message.SEQ, fromSeq));
        }
        if (notBeforeTs > 0) {
            conditions.add(Filters.gte(Message.TS, notBeforeTs));
        }
        if (page.afterSeq() != null) {
            conditions.add(Filters.gt(Message.SEQ, page.afterSeq()));
        }
        if (page.beforeSeq() != null) {
            conditions.add(Filters.lt(Message.SEQ, page.beforeSeq()));
        }
        if (page.afterTs() != null) {
            conditions.add(Filters.gt(Message.TS, page.afterTs()));
        }
        if (page.beforeTs() != null) {
            conditions.add(Filters.lt(Message.TS, page.beforeTs()));
        }
        boolean backwards = page.backwards();
        // one extra document tells whether there is more, without a second query
        FindIterable<Document> found = messages.find(Filters.and(conditions)).projection(Projections.exclude(Message.AUDIENCE))
                .sort(backwards ? Sorts.descending(Message.SEQ) : Sorts.ascending(Message.SEQ))
                .limit(page.limit() + 1);
        List<ChatMessage> result = new ArrayList<>(page.limit() + 1);
        for (Document doc : found) {
            result.add(MessageDocuments.fromDocument(doc));
        }
        boolean hasMore = result.size() > page.limit();
        if (hasMore) {
            result.remove(result.size() - 1);
        }
        if (backwards) {
            Collections.reverse(result);
        }
        return new Slice(result, hasMore);
    }
}
