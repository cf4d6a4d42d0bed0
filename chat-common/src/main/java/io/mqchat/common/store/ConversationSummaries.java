package io.mqchat.common.store;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
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

import static io.mqchat.common.schema.StoreSchema.Conversation;
import static io.mqchat.common.schema.StoreSchema.Message;

/**
 * The {@code conversations} collection: one summary per (user, conversation) — last seq and a preview of
 * the last message, the user's read position and the unread count — and one per shared conversation (group,
 * system) with each reader's own document for their read position and mentions. Summaries are derived from
 * the messages (the record), written after them by {@link SummaryWriter}, and repairable. This class reads
 * them, and moves a reader's read position.
 *
 * <p>Unread is the number of other users' message seqs in {@code unreadSeqs} above {@code readSeq}, so a late
 * message below the read position never counts; above {@value #UNREAD_CAP} entries ({@code unreadCapped}) it is
 * counted from the messages instead. {@code sentSeq}: whether this user took part in a direct conversation,
 * which is what presence visibility asks ({@link #bothSent}).
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

        /** The preview a summary document keeps of its last message. */
        static Document documentOf(ChatMessage m) {
            return new Document("id", m.id()).append("from", m.from()).append("type", m.type())
                    .append("text", textOf(m));
        }

        /** A summary document's preview; null when it has none. */
        static Preview of(Document last) {
            return last == null ? null : new Preview(last.getString("id"), last.getString("from"),
                    last.getString("type"), last.getString("text"));
        }

        /** A short text for conversation lists: the start of a text body, else null (clients show the type). */
        public static String textOf(ChatMessage m) {
            if (m.body() == null || !m.body().isTextual()) {
                return null;
            }
            String text = m.body().asText();
            if (text.codePointCount(0, text.length()) <= PREVIEW_CHARS) {
                return text;
            }
            return text.substring(0, text.offsetByCodePoints(0, PREVIEW_CHARS)) + "…";
        }
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
            last = Preview.documentOf(m);
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
        Preview preview = lastSeq < fromSeq ? null : Preview.of(last);
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
    public ReadResult markRead(String user, ConversationId conv, long seq) {
        String id = id(user, conv.toString());
        List<Bson> update = SummaryWriter.insertDefaults(user, conv);
        update.add(Updates.max(Conversation.READ_SEQ, seq));
        update.add(Updates.pull(Conversation.UNREAD_SEQS, new Document("$lte", seq)));
        update.add(Updates.set(Conversation.UPDATED_AT, new Date(clock.millis())));
        Document before = summaries.findOneAndUpdate(Filters.eq(Conversation.ID, id), Updates.combine(update),
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
        Summary now = find(user, conv.toString()).orElseThrow();
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
        Preview preview = Preview.of(last);
        return new Summary(user, conv, d.getString(Conversation.PEER), number(d, Conversation.LAST_SEQ),
                number(d, Conversation.LAST_TS), preview, readSeq, unread);
    }

    static long number(Document d, String field) {
        Object v = d.get(field);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
