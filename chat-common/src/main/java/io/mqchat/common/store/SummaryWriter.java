package io.mqchat.common.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.ConversationSummaries.Preview;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.mqchat.common.schema.StoreSchema.Conversation;

/**
 * What stored messages do to the {@code conversations} collection (read by {@link ConversationSummaries}):
 * every update is idempotent and order-independent, so two store writers and batches that complete out of
 * order give the same result:
 * <ul>
 *   <li>{@code lastSeq} and the preview move only forward (a conditional {@code lastSeq < s} update);</li>
 *   <li>{@code readSeq} only grows ({@code $max}): sending moves the sender's read position to the sent seq;</li>
 *   <li>other users' message seqs are added to {@code unreadSeqs} with {@code $addToSet} (a repeat is
 *       harmless), up to {@value ConversationSummaries#UNREAD_CAP} entries; then {@code unreadCapped} is set;</li>
 *   <li>{@code sentSeq} (direct conversations) only grows ({@code $max}).</li>
 * </ul>
 */
public final class SummaryWriter {

    private final MongoCollection<Document> summaries;
    private final Clock clock;

    public SummaryWriter(MongoCollection<Document> summaries, Clock clock) {
        this.summaries = summaries;
        this.clock = clock;
    }

    /** The participants whose summaries a message touches (direct: sender and recipient). */
    private static List<String> participants(ChatMessage m) {
        return m.from().equals(m.to()) ? List.of(m.from()) : List.of(m.from(), m.to());
    }

    /**
     * Applies a batch of stored messages in one ordered bulk write. Safe to repeat and to run concurrently
     * with other batches in any order. Group conversations (read diffusion) touch one group summary, the
     * sender's read position and the mentioned users' documents — never one write per member.
     */
    public void apply(Collection<ChatMessage> stored) {
        apply(stored, false);
    }

    /**
     * The same, for messages of a shared conversation that are for some of its readers only (a broadcast to
     * listed users): the shared preview is marked so that the others do not see it.
     */
    public void apply(Collection<ChatMessage> stored, boolean limitedAudience) {
        List<WriteModel<Document>> ops = updatesFor(stored, limitedAudience);
        if (ops.isEmpty()) {
            return;
        }
        try {
            summaries.bulkWrite(ops, new BulkWriteOptions().ordered(true));
        } catch (MongoBulkWriteException e) {
            // Two writers upserting the same new summary: one loses with a duplicate key. Every update
            // is idempotent, so the whole batch is simply applied again.
            boolean duplicate = e.getWriteErrors().stream()
                    .allMatch(err -> ErrorCategory.fromErrorCode(err.getCode()) == ErrorCategory.DUPLICATE_KEY);
            if (!duplicate) {
                throw e;
            }
            summaries.bulkWrite(ops, new BulkWriteOptions().ordered(true));
        }
    }

    private record Key(String user, ConversationId conv) {
    }

    private static final class Group {
        ChatMessage last;
        long ownMax;
        final TreeSet<Long> others = new TreeSet<>();
    }

    List<WriteModel<Document>> updatesFor(Collection<ChatMessage> stored) {
        return updatesFor(stored, false);
    }

    private List<WriteModel<Document>> updatesFor(Collection<ChatMessage> stored, boolean limitedAudience) {
        Map<Key, Group> groups = new LinkedHashMap<>();
        Map<ConversationId, List<ChatMessage>> groupMessages = new LinkedHashMap<>();
        for (ChatMessage m : stored) {
            if (m.conv().sharedByReaders()) {
                groupMessages.computeIfAbsent(m.conv(), k -> new ArrayList<>()).add(m);
                continue;
            }
            for (String user : participants(m)) {
                Group g = groups.computeIfAbsent(new Key(user, m.conv()), k -> new Group());
                if (g.last == null || m.seq() > g.last.seq()) {
                    g.last = m;
                }
                if (m.from().equals(user)) {
                    g.ownMax = Math.max(g.ownMax, m.seq());
                } else {
                    g.others.add(m.seq());
                }
            }
        }
        Date now = new Date(clock.millis());
        List<WriteModel<Document>> ops = new ArrayList<>(groups.size() * 3);
        groups.forEach((key, g) -> {
            String id = ConversationSummaries.id(key.user(), key.conv().toString());
            List<Bson> base = insertDefaults(key.user(), key.conv());
            base.add(Updates.max(Conversation.READ_SEQ, g.ownMax));
            base.add(Updates.set(Conversation.UPDATED_AT, now));
            if (g.ownMax > 0) {
                base.add(Updates.pull(Conversation.UNREAD_SEQS, new Document("$lte", g.ownMax)));
                base.add(Updates.max(Conversation.SENT_SEQ, g.ownMax));
            }
            ops.add(new UpdateOneModel<>(Filters.eq(Conversation.ID, id), Updates.combine(base),
                    new UpdateOptions().upsert(true)));
            ChatMessage last = g.last;
            ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, id),
                    Filters.lt(Conversation.LAST_SEQ, last.seq())), Updates.combine(
                    Updates.set(Conversation.LAST_SEQ, last.seq()),
                    Updates.set(Conversation.LAST_TS, last.ts()),
                    Updates.set(Conversation.LAST, Preview.documentOf(last)))));
            if (!g.others.isEmpty()) {
                String capProbe = Conversation.UNREAD_SEQS + "." + (ConversationSummaries.UNREAD_CAP - 1);
                ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, id), Filters.exists(capProbe, false)),
                        Updates.addEachToSet(Conversation.UNREAD_SEQS, new ArrayList<>(g.others))));
                ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, id), Filters.exists(capProbe, true)),
                        Updates.set(Conversation.UNREAD_CAPPED, true)));
            }
        });
        groupMessages.forEach((conv, list) -> groupUpdates(conv, list, now, ops, limitedAudience));
        return ops;
    }

    /**
     * A group conversation's batch: the group summary ({@code _id} = conv: last message, newest "all"
     * mention), each sender's read position (own messages are read) and each mentioned user's newest mention.
     * The server ({@link Ids#SYSTEM_USER}) reads nothing: it has no read position.
     */
    private static void groupUpdates(ConversationId convId, List<ChatMessage> batch, Date now,
                                     List<WriteModel<Document>> ops, boolean limitedAudience) {
        String conv = convId.toString();
        ChatMessage last = null;
        long allMention = 0;
        Map<String, Long> ownMax = new LinkedHashMap<>();
        Map<String, Long> mentioned = new LinkedHashMap<>();
        for (ChatMessage m : batch) {
            if (last == null || m.seq() > last.seq()) {
                last = m;
            }
            if (!m.from().equals(Ids.SYSTEM_USER)) {
                ownMax.merge(m.from(), m.seq(), Math::max);
            }
            if (m.mentions() != null) {
                for (String user : m.mentions()) {
                    if (user.equals(ChatMessage.MENTION_ALL)) {
                        allMention = Math.max(allMention, m.seq());
                    } else if (!user.equals(m.from())) {
                        mentioned.merge(user, m.seq(), Math::max);
                    }
                }
            }
        }
        List<Bson> base = insertDefaults(null, convId);
        base.add(Updates.max(Conversation.ALL_MENTION_SEQ, allMention));
        base.add(Updates.set(Conversation.UPDATED_AT, now));
        ops.add(new UpdateOneModel<>(Filters.eq(Conversation.ID, conv), Updates.combine(base),
                new UpdateOptions().upsert(true)));
        ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, conv),
                Filters.lt(Conversation.LAST_SEQ, last.seq())), Updates.combine(
                Updates.set(Conversation.LAST_SEQ, last.seq()),
                Updates.set(Conversation.LAST_TS, last.ts()),
                Updates.set(Conversation.LAST, limitedAudience
                        ? Preview.documentOf(last).append(Conversation.LAST_LIMITED, true) : Preview.documentOf(last)))));
        ownMax.forEach((user, seq) -> ops.add(memberUpdate(user, convId, Updates.max(Conversation.READ_SEQ, seq), now)));
        mentioned.forEach((user, seq) -> ops.add(memberUpdate(user, convId, Updates.max(Conversation.MENTION_SEQ, seq),
                now)));
    }

    /** An upsert of a member's own document of a group conversation (read position, mentions; no lastSeq). */
    private static UpdateOneModel<Document> memberUpdate(String user, ConversationId conv, Bson update, Date now) {
        List<Bson> all = insertDefaults(user, conv);
        all.add(update);
        all.add(Updates.set(Conversation.UPDATED_AT, now));
        return new UpdateOneModel<>(Filters.eq(Conversation.ID, ConversationSummaries.id(user, conv.toString())),
                Updates.combine(all), new UpdateOptions().upsert(true));
    }

    /**
     * What a summary document starts with when an update creates it: {@code user}'s own document (null: a
     * shared conversation's one summary) with no message yet; a direct one also names the peer and records
     * that {@code sentSeq} is kept for it.
     */
    static List<Bson> insertDefaults(String user, ConversationId conv) {
        List<Bson> defaults = new ArrayList<>(8);
        if (user != null) {
            defaults.add(Updates.setOnInsert(Conversation.USER, user));
        }
        defaults.add(Updates.setOnInsert(Conversation.CONV, conv.toString()));
        defaults.add(Updates.setOnInsert(Conversation.LAST_SEQ, 0L));
        defaults.add(Updates.setOnInsert(Conversation.LAST_TS, 0L));
        if (user != null && conv.type() == ConversationId.Type.DIRECT) {
            defaults.add(Updates.setOnInsert(Conversation.PEER, conv.isDirectParticipant(user) ? conv.peerOf(user) : null));
            defaults.add(Updates.setOnInsert(Conversation.SENT_TRACKED, true));
        }
        return defaults;
    }
}
