package io.mqchat.common.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.BulkWriteOptions;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static io.mqchat.common.store.StoreSchema.Conversation;
import static io.mqchat.common.store.StoreSchema.Message;

/**
 * The {@code conversations} collection: one summary per (user, conversation) — last seq and a preview of
 * the last message, the user's read position and the unread count. Summaries are derived from the
 * messages (the record) and repairable; they are written after the messages, never before.
 *
 * <p>Every update is idempotent and order-independent, so two store writers and batches that complete out
 * of order give the same result:
 * <ul>
 *   <li>{@code lastSeq} and the preview move only forward (a conditional {@code lastSeq < s} update);</li>
 *   <li>{@code readSeq} only grows ({@code $max});</li>
 *   <li>unread is the number of other users' message seqs in {@code unreadSeqs} above {@code readSeq}.
 *       Seqs are added with {@code $addToSet} (a repeat is harmless), entries at or below {@code readSeq}
 *       are ignored when counting and pulled when the read position moves. A late message below the
 *       read position therefore never counts as unread, and a user's own messages are never added (sending
 *       moves the sender's read position to the sent seq). Above {@value #UNREAD_CAP} entries the array stops
 *       growing and unread is counted from the messages instead.</li>
 *   <li>{@code sentSeq} (direct conversations) only grows ({@code $max}): whether this user took part, which
 *       is what presence visibility asks ({@link #bothSent}).</li>
 * </ul>
 */
public final class ConversationSummaries {

    /**
     * Above this many unread entries the count comes from the messages collection. Small: every message
     * rewrites its recipient's summary, array included, so the array's size is paid per message.
     */
    public static final int UNREAD_CAP = 100;
    /** Unread messages of a group conversation are counted up to this many. */
    public static final int GROUP_UNREAD_LIMIT = 1000;
    /** Characters of a text message kept as preview. */
    public static final int PREVIEW_CHARS = 100;

    private final MongoCollection<Document> summaries;
    private final MongoCollection<Document> messages;
    private final Clock clock;

    /** The last message of a conversation, as shown in a conversation list. */
    public record Preview(String id, String from, String type, String text) {
    }

    /**
     * One user's view of one conversation.
     *
     * @param peer      direct conversations: the other user; null for groups
     * @param mentioned group conversations: an unread message mentions this user (by name or "all")
     */
    public record Summary(String user, String conv, String peer, long lastSeq, long lastTs, Preview last,
                          long readSeq, long unread, boolean mentioned) {

        public Summary(String user, String conv, String peer, long lastSeq, long lastTs, Preview last,
                       long readSeq, long unread) {
            this(user, conv, peer, lastSeq, lastTs, last, readSeq, unread, false);
        }
    }

    public ConversationSummaries(MongoCollection<Document> summaries, MongoCollection<Document> messages, Clock clock) {
        this.summaries = summaries;
        this.messages = messages;
        this.clock = clock;
    }

    public static String id(String user, String conv) {
        return user + "|" + conv;
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
            ConversationId conv = key.conv();
            String id = id(key.user(), conv.toString());
            List<Bson> base = new ArrayList<>(List.of(
                    Updates.setOnInsert(Conversation.USER, key.user()),
                    Updates.setOnInsert(Conversation.CONV, conv.toString()),
                    Updates.setOnInsert(Conversation.PEER, conv.isDirectParticipant(key.user())
                            ? conv.peerOf(key.user()) : null),
                    Updates.setOnInsert(Conversation.LAST_SEQ, 0L),
                    Updates.setOnInsert(Conversation.LAST_TS, 0L),
                    Updates.setOnInsert(Conversation.SENT_TRACKED, true),
                    Updates.max(Conversation.READ_SEQ, g.ownMax),
                    Updates.set(Conversation.UPDATED_AT, now)));
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
                    Updates.set(Conversation.LAST, previewDocument(last)))));
            if (!g.others.isEmpty()) {
                String capProbe = Conversation.UNREAD_SEQS + "." + (UNREAD_CAP - 1);
                ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, id), Filters.exists(capProbe, false)),
                        Updates.addEachToSet(Conversation.UNREAD_SEQS, new ArrayList<>(g.others))));
                ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, id), Filters.exists(capProbe, true)),
                        Updates.set(Conversation.UNREAD_CAPPED, true)));
            }
        });
        groupMessages.forEach((conv, list) -> groupUpdates(conv.toString(), list, now, ops, limitedAudience));
        return ops;
    }

    /**
     * A group conversation's batch: the group summary ({@code _id} = conv: last message, newest "all"
     * mention), each sender's read position (own messages are read) and each mentioned user's newest mention.
     * The server ({@link Ids#SYSTEM_USER}) reads nothing: it has no read position.
     */
    private static void groupUpdates(String conv, List<ChatMessage> batch, Date now, List<WriteModel<Document>> ops,
                                     boolean limitedAudience) {
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
        List<Bson> base = new ArrayList<>(List.of(
                Updates.setOnInsert(Conversation.CONV, conv),
                Updates.setOnInsert(Conversation.LAST_SEQ, 0L),
                Updates.setOnInsert(Conversation.LAST_TS, 0L),
                Updates.max(Conversation.ALL_MENTION_SEQ, allMention),
                Updates.set(Conversation.UPDATED_AT, now)));
        ops.add(new UpdateOneModel<>(Filters.eq(Conversation.ID, conv), Updates.combine(base),
                new UpdateOptions().upsert(true)));
        ops.add(new UpdateOneModel<>(Filters.and(Filters.eq(Conversation.ID, conv),
                Filters.lt(Conversation.LAST_SEQ, last.seq())), Updates.combine(
                Updates.set(Conversation.LAST_SEQ, last.seq()),
                Updates.set(Conversation.LAST_TS, last.ts()),
                Updates.set(Conversation.LAST, limitedAudience
                        ? previewDocument(last).append(Conversation.LAST_LIMITED, true) : previewDocument(last)))));
        ownMax.forEach((user, seq) -> ops.add(memberUpdate(user, conv, Updates.max(Conversation.READ_SEQ, seq), now)));
        mentioned.forEach((user, seq) -> ops.add(memberUpdate(user, conv, Updates.max(Conversation.MENTION_SEQ, seq), now)));
    }

    /** An upsert of a member's own document of a group conversation (read position, mentions; no lastSeq). */
    private static UpdateOneModel<Document> memberUpdate(String user, String conv, Bson update, Date now) {
        return new UpdateOneModel<>(Filters.eq(Conversation.ID, id(user, conv)), Updates.combine(
                Updates.setOnInsert(Conversation.USER, user),
                Updates.setOnInsert(Conversation.CONV, conv),
                Updates.setOnInsert(Conversation.LAST_SEQ, 0L),
                Updates.setOnInsert(Conversation.LAST_TS, 0L),
                update,
                Updates.set(Conversation.UPDATED_AT, now)), new UpdateOptions().upsert(true));
    }

    /**
     * A member's view of a group conversation: the group's last message, the member's read position, unread
     * (other members' messages above it, events not counted, from {@code fromSeq} on, counted up to
     * {@value #GROUP_UNREAD_LIMIT}) and whether an unread message mentions them. Empty before the first message.
     */
    public Optional<Summary> groupView(String user, String conv, long fromSeq) {
        Document group = summaries.find(Filters.eq(Conversation.ID, conv)).first();
        if (group == null) {
            return Optional.empty();
        }
        Document mine = summaries.find(Filters.eq(Conversation.ID, id(user, conv))).first();
        return Optional.ofNullable(groupSummary(user, group, mine, fromSeq));
    }

    private Summary groupSummary(String user, Document group, Document mine, long fromSeq) {
        String conv = group.getString(Conversation.CONV);
        long readSeq = mine == null ? 0 : number(mine, Conversation.READ_SEQ);
        long lastSeq = number(group, Conversation.LAST_SEQ);
        long lastTs = number(group, Conversation.LAST_TS);
        long floor = Math.max(readSeq, fromSeq - 1);
        Document last = group.get(Conversation.LAST, Document.class);
        boolean system = ConversationId.SYSTEM_TEXT.equals(conv);
        if (system && last != null && Boolean.TRUE.equals(last.getBoolean(Conversation.LAST_LIMITED))) {
            // the last broadcast was for listed users: show this reader the newest one that is theirs
            Document newest = messages.find(Filters.and(Filters.eq(Message.CONV, conv),
                            SystemConversation.readableBy(user)))
                    .projection(Projections.exclude(Message.AUDIENCE))
                    .sort(Sorts.descending(Message.SEQ)).limit(1).first();
            if (newest == null) {
                return null;
            }
            ChatMessage m = MessageDocuments.fromDocument(newest);
            last = previewDocument(m);
            lastSeq = m.seq();
            lastTs = m.ts();
        }
        List<Bson> unreadFilter = new ArrayList<>(List.of(Filters.eq(Message.CONV, conv),
                Filters.gt(Message.SEQ, floor), Filters.ne(Message.FROM, user),
                Filters.nin(Message.TYPE, ChatMessage.EVENT_TYPE, ChatMessage.RECALLED_TYPE)));
        if (system) {
            unreadFilter.add(SystemConversation.readableBy(user));
        }
        long unread = lastSeq <= floor ? 0 : messages.countDocuments(Filters.and(unreadFilter),
                new com.mongodb.client.model.CountOptions().limit(GROUP_UNREAD_LIMIT));
        long mentionSeq = Math.max(mine == null ? 0 : number(mine, Conversation.MENTION_SEQ),
                number(group, Conversation.ALL_MENTION_SEQ));
        boolean mentioned = mentionSeq > floor;
        Preview preview = last == null || lastSeq < fromSeq ? null : new Preview(last.getString("id"),
                last.getString("from"), last.getString("type"), last.getString("text"));
        return new Summary(user, conv, null, lastSeq, lastTs, preview, Math.max(readSeq, fromSeq - 1), unread,
                mentioned);
    }

    /** The last seq of each of these group conversations that has messages (for sync). */
    public Map<String, Long> groupLastSeqs(Collection<String> convs) {
        Map<String, Long> result = new LinkedHashMap<>();
        if (convs.isEmpty()) {
            return result;
        }
        for (Document d : summaries.find(Filters.and(Filters.in(Conversation.ID, convs), Filters.gt(Conversation.LAST_SEQ, 0L)))
                .projection(Projections.include(Conversation.CONV, Conversation.LAST_SEQ))
                .sort(Sorts.orderBy(Sorts.descending(Conversation.LAST_TS), Sorts.ascending(Conversation.ID)))) {
            result.put(d.getString(Conversation.CONV), number(d, Conversation.LAST_SEQ));
        }
        return result;
    }

    private static Document previewDocument(ChatMessage m) {
        Document d = new Document("id", m.id()).append("from", m.from()).append("type", m.type());
        d.append("text", previewText(m));
        return d;
    }

    /** A short text for conversation lists: the start of a text body, else null (clients show the type). */
    public static String previewText(ChatMessage m) {
        if (m.body() == null || !m.body().isTextual()) {
            return null;
        }
        String text = m.body().asText();
        if (text.codePointCount(0, text.length()) <= PREVIEW_CHARS) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, PREVIEW_CHARS)) + "…";
    }

    /** The summary of one conversation for one user, if any message made one. */
    public Optional<Summary> find(String user, String conv) {
        Document d = summaries.find(Filters.eq(Conversation.ID, id(user, conv))).first();
        return Optional.ofNullable(d).map(this::toSummary);
    }

    /** A page of a user's conversations sorted by last activity (newest first), after a position. */
    public record Page(List<Summary> summaries, boolean hasMore) {
    }

    /**
     * Direct conversations of {@code user} and the groups given (group id → the first seq the user may read),
     * with messages, newest activity first; {@code before} as in {@link #recent(String, int, Long, String)}.
     * Ties on {@code lastTs} are broken by conversation id (for one user, the summary {@code _id} orders the
     * same way).
     */
    public Page recent(String user, Map<String, Long> groups, int limit, Long beforeTs, String beforeConv) {
        Page direct = recent(user, limit, beforeTs, beforeConv);
        List<Summary> merged = new ArrayList<>(direct.summaries());
        // the system conversation: every user reads it; its last message may differ per reader (listed users)
        groupView(user, ConversationId.SYSTEM_TEXT, 1).filter(system -> beforeTs == null
                        || system.lastTs() < beforeTs
                        || (system.lastTs() == beforeTs && system.conv().compareTo(beforeConv) > 0))
                .ifPresent(merged::add);
        if (!groups.isEmpty()) {
            merged.addAll(groupPage(user, groups, limit, beforeTs, beforeConv));
        }
        merged.sort(java.util.Comparator.comparingLong(Summary::lastTs).reversed().thenComparing(Summary::conv));
        boolean hasMore = direct.hasMore() || merged.size() > limit;
        return new Page(merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged, hasMore);
    }

    /** Up to {@code limit + 1} of the groups' summaries after the position, as this member sees them. */
    private List<Summary> groupPage(String user, Map<String, Long> groups, int limit, Long beforeTs, String beforeConv) {
        Map<String, Long> fromSeqs = new HashMap<>();
        groups.forEach((groupId, fromSeq) -> fromSeqs.put(ConversationId.group(groupId).toString(), fromSeq));
        List<Bson> conditions = new ArrayList<>();
        conditions.add(Filters.in(Conversation.ID, fromSeqs.keySet()));
        conditions.add(Filters.gt(Conversation.LAST_SEQ, 0L));
        if (beforeTs != null) {
            conditions.add(Filters.or(Filters.lt(Conversation.LAST_TS, beforeTs),
                    Filters.and(Filters.eq(Conversation.LAST_TS, beforeTs), Filters.gt(Conversation.CONV, beforeConv))));
        }
        List<Document> groupDocs = new ArrayList<>();
        summaries.find(Filters.and(conditions))
                .sort(Sorts.orderBy(Sorts.descending(Conversation.LAST_TS), Sorts.ascending(Conversation.ID)))
                .limit(limit + 1).into(groupDocs);
        Map<String, Document> mine = new HashMap<>();
        if (!groupDocs.isEmpty()) {
            for (Document d : summaries.find(Filters.in(Conversation.ID,
                    groupDocs.stream().map(g -> id(user, g.getString(Conversation.CONV))).toList()))) {
                mine.put(d.getString(Conversation.CONV), d);
            }
        }
        List<Summary> result = new ArrayList<>(groupDocs.size());
        for (Document g : groupDocs) {
            String conv = g.getString(Conversation.CONV);
            result.add(groupSummary(user, g, mine.get(conv), fromSeqs.getOrDefault(conv, 1L)));
        }
        return result;
    }

    /**
     * Conversations of {@code user} with {@code lastSeq > 0}, newest activity first; {@code before} is the
     * (lastTs, conv) of the last entry of the previous page, null for the first page.
     */
    public Page recent(String user, int limit, Long beforeTs, String beforeConv) {
        List<Bson> conditions = new ArrayList<>();
        conditions.add(Filters.eq(Conversation.USER, user));
        conditions.add(Filters.gt(Conversation.LAST_SEQ, 0L));
        if (beforeTs != null) {
            conditions.add(Filters.or(Filters.lt(Conversation.LAST_TS, beforeTs),
                    Filters.and(Filters.eq(Conversation.LAST_TS, beforeTs),
                            Filters.gt(Conversation.ID, id(user, beforeConv)))));
        }
        List<Summary> page = new ArrayList<>(limit + 1);
        for (Document d : summaries.find(Filters.and(conditions))
                .sort(Sorts.orderBy(Sorts.descending(Conversation.LAST_TS), Sorts.ascending(Conversation.ID)))
                .limit(limit + 1)) {
            page.add(toSummary(d));
        }
        boolean hasMore = page.size() > limit;
        if (hasMore) {
            page.remove(page.size() - 1);
        }
        return new Page(page, hasMore);
    }

    /** Every conversation of a user with its last seq (for sync): conv → lastSeq, newest activity first. */
    public Map<String, Long> lastSeqs(String user) {
        Map<String, Long> result = new LinkedHashMap<>();
        for (Document d : summaries.find(Filters.and(Filters.eq(Conversation.USER, user),
                        Filters.gt(Conversation.LAST_SEQ, 0L)))
                .projection(Projections.include(Conversation.CONV, Conversation.LAST_SEQ, Conversation.LAST_TS))
                .sort(Sorts.orderBy(Sorts.descending(Conversation.LAST_TS), Sorts.ascending(Conversation.ID)))) {
            result.put(d.getString(Conversation.CONV), number(d, Conversation.LAST_SEQ));
        }
        return result;
    }

    /**
     * Whether both users have sent at least one message in their direct conversation (a stranger's
     * unanswered messages do not count): one read of the two summaries.
     */
    public boolean bothSent(String a, String b) {
        if (a.equals(b)) {
            return false;
        }
        String conv = ConversationId.direct(a, b).toString();
        Map<String, Document> docs = new HashMap<>();
        for (Document d : summaries.find(Filters.in(Conversation.ID, id(a, conv), id(b, conv)))
                .projection(Projections.include(Conversation.USER, Conversation.SENT_SEQ, Conversation.SENT_TRACKED))) {
            docs.put(d.getString(Conversation.USER), d);
        }
        for (String user : List.of(a, b)) {
            Document d = docs.get(user);
            if (d == null) {
                return false;
            }
            if (number(d, Conversation.SENT_SEQ) > 0) {
                continue;
            }
            if (Boolean.TRUE.equals(d.getBoolean(Conversation.SENT_TRACKED)) || !repairSent(user, conv)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A summary from before {@code sentSeq} was recorded: looks in the messages once (the newest message of
     * the user there, on the conversation's seq index) and records the answer, so it is never looked up again.
     */
    private boolean repairSent(String user, String conv) {
        Document newest = messages.find(Filters.and(Filters.eq(Message.CONV, conv), Filters.eq(Message.FROM, user)))
                .projection(Projections.include(Message.SEQ)).sort(Sorts.descending(Message.SEQ)).limit(1).first();
        Bson tracked = Updates.set(Conversation.SENT_TRACKED, true);
        summaries.updateOne(Filters.eq(Conversation.ID, id(user, conv)), newest == null ? tracked
                : Updates.combine(Updates.max(Conversation.SENT_SEQ, number(newest, Message.SEQ)), tracked));
        return newest != null && number(newest, Message.SEQ) > 0;
    }

    /**
     * For each conversation in {@code userByConv}, how far that user has read it (0 if they have no summary
     * there), in one query: a conversation list asks it for every direct conversation's peer.
     */
    public Map<String, Long> readSeqsOf(Map<String, String> userByConv) {
        if (userByConv.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> result = new HashMap<>();
        userByConv.keySet().forEach(conv -> result.put(conv, 0L));
        List<String> ids = userByConv.entrySet().stream().map(e -> id(e.getValue(), e.getKey())).toList();
        for (Document d : summaries.find(Filters.in(Conversation.ID, ids))
                .projection(Projections.include(Conversation.CONV, Conversation.READ_SEQ))) {
            result.put(d.getString(Conversation.CONV), number(d, Conversation.READ_SEQ));
        }
        return result;
    }

    /** The outcome of a read receipt: the read position now, and whether this call moved it. */
    public record ReadResult(Summary summary, boolean moved) {
    }

    /**
     * Moves {@code user}'s read position in {@code conv} forward to {@code seq} (never back; the caller has
     * checked membership and bounded seq by the highest stored seq) and recomputes unread.
     */
    public ReadResult markRead(String user, String conv, long seq) {
        String id = id(user, conv);
        ConversationId c = ConversationId.parse(conv).orElseThrow(() -> new IllegalArgumentException("conv"));
        Document before = summaries.findOneAndUpdate(Filters.eq(Conversation.ID, id), Updates.combine(
                        Updates.setOnInsert(Conversation.USER, user),
                        Updates.setOnInsert(Conversation.CONV, conv),
                        Updates.setOnInsert(Conversation.PEER, c.isDirectParticipant(user) ? c.peerOf(user) : null),
                        Updates.setOnInsert(Conversation.LAST_SEQ, 0L),
                        Updates.setOnInsert(Conversation.LAST_TS, 0L),
                        Updates.setOnInsert(Conversation.SENT_TRACKED, true),
                        Updates.max(Conversation.READ_SEQ, seq),
                        Updates.pull(Conversation.UNREAD_SEQS, new Document("$lte", seq)),
                        Updates.set(Conversation.UPDATED_AT, new Date(clock.millis()))),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.BEFORE));
        long previous = before == null ? 0 : number(before, Conversation.READ_SEQ);
        if (before != null && Boolean.TRUE.equals(before.getBoolean(Conversation.UNREAD_CAPPED))) {
            // Caught up: nothing above seq can be unread unless a newer message moved lastSeq past it.
            try {
                summaries.updateOne(Filters.and(Filters.eq(Conversation.ID, id), Filters.lte(Conversation.LAST_SEQ, seq)),
                        Updates.combine(Updates.set(Conversation.UNREAD_SEQS, List.of()),
                                Updates.set(Conversation.UNREAD_CAPPED, false)));
            } catch (MongoWriteException ignored) {
                // stays capped: unread keeps being counted from the messages, which is exact
            }
        }
        Summary now = find(user, conv).orElseThrow();
        return new ReadResult(now, seq > previous);
    }

    private Summary toSummary(Document d) {
        String user = d.getString(Conversation.USER);
        String conv = d.getString(Conversation.CONV);
        long readSeq = number(d, Conversation.READ_SEQ);
        long unread;
        if (Boolean.TRUE.equals(d.getBoolean(Conversation.UNREAD_CAPPED))) {
            unread = messages.countDocuments(Filters.and(Filters.eq(Message.CONV, conv),
                    Filters.gt(Message.SEQ, readSeq), Filters.ne(Message.FROM, user),
                    Filters.ne(Message.TYPE, ChatMessage.RECALLED_TYPE)));
        } else {
            unread = 0;
            List<?> seqs = d.getList(Conversation.UNREAD_SEQS, Object.class, List.of());
            for (Object s : seqs) {
                if (s instanceof Number n && n.longValue() > readSeq) {
                    unread++;
                }
            }
        }
        Document last = d.get(Conversation.LAST, Document.class);
        Preview preview = last == null ? null : new Preview(last.getString("id"), last.getString("from"),
                last.getString("type"), last.getString("text"));
        return new Summary(user, conv, d.getString(Conversation.PEER), number(d, Conversation.LAST_SEQ),
                number(d, Conversation.LAST_TS), preview, readSeq, unread);
    }

    private static long number(Document d, String field) {
        Object v = d.get(field);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
