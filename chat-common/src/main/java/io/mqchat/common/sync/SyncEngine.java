package io.mqchat.common.sync;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SystemConversation;
import org.bson.Document;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.mqchat.common.schema.StoreSchema.Message;

/**
 * Sync: the messages a device missed, across all of its user's conversations, paged, with a "complete up
 * to" seq per conversation. The one implementation, used by history-service (REST) and the broker
 * extension (MQTT requests), on the plain MongoDB driver.
 *
 * <p>Algorithm, per page:
 * <ol>
 *   <li>Start from the client's positions (a cursor, or a {@code conv → seq} map; absent = 0).</li>
 *   <li>Candidates: the user's conversation summaries whose {@code lastSeq} is above the position (newest
 *       activity first), then positions whose conversation has no summary yet.</li>
 *   <li>For each candidate read the messages with {@code seq > position} in seq order (the
 *       {@code (conv, seq)} index) and walk them. A message whose seq is the next expected one is
 *       delivered and the position moves to it. A jump in seq is a gap. The gap's seqs were allocated
 *       before the message after it, so if they are ever stored it is within the store timeout of that
 *       message's {@code ts}. A gap whose following message is older than the hole grace (store timeout +
 *       margin) is a permanent hole: skipped, the position moves on. A younger gap may still fill: the
 *       conversation stops there for this page, its position stays below the gap, and the answer says
 *       when to ask again ({@code retryAfterMs}).</li>
 *   <li>Stop when the page is full (messages or bytes): {@code hasMore} then says to ask again at once.</li>
 * </ol>
 * The position of a conversation never passes a seq that may still be stored, so a client never waits on
 * a hole forever and never skips a message in flight. Messages delivered are never repeated in the next
 * page; a client may still receive a message twice (live and by sync) and dedupes by {@code id}.
 *
 * <p>Recalls: sync never re-sends messages below a position, so each page also lists the messages of the
 * user's conversations recalled after the cursor's {@link SyncCursor.RecallMark} (sparse indexes on
 * {@code (from|to, recalledAt)}), at most {@link #MAX_RECALLS}, and the next cursor moves the mark. The mark
 * lags now by the hole grace (a recall's time is taken before its write lands); recalls inside the grace
 * already listed are remembered in the mark, so a chain of cursors lists each recall once. No cursor (a new
 * device, or explicit positions): no list, the messages come already recalled; the mark starts there.
 */
public final class SyncEngine {

    /** Margin added to the store timeout for the hole grace: clock skew between nodes, slow last writes. */
    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(10);

    private final MongoCollection<Document> messages;
    private final ConversationSummaries summaries;
    private final GroupDirectory groups;
    private final Duration holeGrace;
    private final Clock clock;

    /**
     * What was asked: the positions the client is complete up to, the page bounds, and what the device may
     * see under the history policy.
     */
    public record Request(String user, Map<String, Long> positions, int limit, int maxBytes,
                          HistoryPolicy.Visibility visibility, SyncCursor.RecallMark recalls) {

        /** No recall list (a new device, or positions without a cursor). */
        public Request(String user, Map<String, Long> positions, int limit, int maxBytes,
                       HistoryPolicy.Visibility visibility) {
            this(user, positions, limit, maxBytes, visibility, null);
        }

        /** A device that may see everything, no recall list. */
        public Request(String user, Map<String, Long> positions, int limit, int maxBytes) {
            this(user, positions, limit, maxBytes, HistoryPolicy.Visibility.ALL);
        }

        /** From a decoded cursor: its positions and recall mark. */
        public static Request of(String user, SyncCursor.State state, int limit, int maxBytes,
                                 HistoryPolicy.Visibility visibility) {
            return new Request(user, state.positions(), limit, maxBytes, visibility, state.recalls());
        }
    }

    /**
     * One page.
     *
     * @param messages     in conversation order, each conversation ascending by seq
     * @param complete     conv → the seq the client is now complete up to, for every conversation this page
     *                     looked at
     * @param positions    all positions after this page (what the next cursor holds)
     * @param hasMore      more messages are waiting: ask again now with the new cursor
     * @param retryAfterMs when not null, a gap that may still fill stopped a conversation: ask again after this
     * @param recalls      messages recalled after the request's recall mark, oldest recall first (empty when
     *                     the request had no mark)
     * @param recallMark   how far recalls are reported after this page (what the next cursor holds)
     * @param left         group conversations the request held a position for that the user is no longer a
     *                     member of (removed, left, dissolved): the device stops expecting messages there
     */
    public record Result(List<ChatMessage> messages, Map<String, Long> complete, Map<String, Long> positions,
                         boolean hasMore, Long retryAfterMs, List<ServerEvent.Sync.Recalled> recalls, SyncCursor.RecallMark recallMark,
                         List<String> left) {

        public Result {
            left = left == null ? List.of() : List.copyOf(left);
        }

        /** A page that left no group. */
        public Result(List<ChatMessage> messages, Map<String, Long> complete, Map<String, Long> positions,
                      boolean hasMore, Long retryAfterMs, List<ServerEvent.Sync.Recalled> recalls, SyncCursor.RecallMark recallMark) {
            this(messages, complete, positions, hasMore, retryAfterMs, recalls, recallMark, List.of());
        }

        public String cursor() {
            return SyncCursor.encode(positions, recallMark);
        }
    }

    /** Most recalls reported per page (each is about 100 bytes of JSON). */
    public static final int MAX_RECALLS = 100;

    /** Sync of direct conversations only (no group directory). */
    public SyncEngine(MongoCollection<Document> messages, ConversationSummaries summaries, Duration holeGrace,
                      Clock clock) {
        this(messages, summaries, null, holeGrace, clock);
    }

    /**
     * @param groups who is in which group (null: direct conversations only). A user's groups are synced from
     *               the member's {@code fromSeq} on; positions of groups the user is no longer in are dropped.
     */
    public SyncEngine(MongoCollection<Document> messages, ConversationSummaries summaries, GroupDirectory groups,
                      Duration holeGrace, Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
        this.groups = groups;
        this.holeGrace = holeGrace;
        this.clock = clock;
    }

    public Duration holeGrace() {
        return holeGrace;
    }

    /**
     * Checks client-given positions: every key a direct conversation of {@code user} or a group conversation
     * (groups the user is not in are dropped by {@link #sync}: a device may hold a group it was removed from).
     * Throws {@link IllegalArgumentException} with a client-facing reason otherwise.
     */
    public static void validate(String user, Map<String, Long> positions) {
        for (String conv : positions.keySet()) {
            ConversationId id = ConversationId.parse(conv).orElseThrow(() -> new IllegalArgumentException(
                    "'" + Ids.printable(conv) + "' is not a conversation id"));
            if (id.sharedByReaders()) {
                continue; // a group's membership is checked by sync itself; the system conversation is everyone's
            }
            if (!id.isDirectParticipant(user)) {
                throw new IllegalArgumentException("'" + conv + "' is not one of your conversations");
            }
        }
    }

    /** The seq of the newest message of {@code conv} older than {@code ts} (0 if none): the since-login floor. */
    private long lastSeqBefore(String conv, long ts) {
        Document d = messages.find(Filters.and(Filters.eq(Message.CONV, conv), Filters.lt(Message.TS, ts)))
                .sort(Sorts.descending(Message.TS)).projection(Projections.include(Message.SEQ)).limit(1).first();
        return d == null ? 0 : ((Number) d.get(Message.SEQ)).longValue();
    }

    /** One page of sync. Positions must have been {@link #validate validated}. */
    public Result sync(Request request) {
        long now = clock.millis();
        Map<String, Long> positions = new LinkedHashMap<>(request.positions());
        HistoryPolicy.Visibility visibility = request.visibility();
        if (visibility.none()) {
            // history policy "none": live delivery only; the positions stay as they were
            SyncCursor.RecallMark mark = request.recalls() != null ? request.recalls() : startMark(now);
            return new Result(List.of(), Map.of(), positions, false, null, List.of(), mark);
        }
        long notBefore = visibility.notBeforeTs();
        // the user's groups now: conv -> first readable seq; positions of other groups are dropped
        Map<String, Long> groupFloors = new LinkedHashMap<>();
        if (groups != null) {
            groups.groupsOf(request.user()).forEach((groupId, fromSeq) ->
                    groupFloors.put(ConversationId.group(groupId).toString(), fromSeq));
        }
        // the system conversation (broadcasts): every user reads it from its first seq
        groupFloors.put(ConversationId.SYSTEM_TEXT, 1L);
        List<String> left = new ArrayList<>();
        positions.keySet().removeIf(conv -> {
            boolean gone = ConversationId.groupOf(conv).isPresent() && !groupFloors.containsKey(conv);
            if (gone) {
                left.add(conv);
            }
            return gone;
        });
        Map<String, Long> candidates = new LinkedHashMap<>();
        Map<String, Long> known = new LinkedHashMap<>(summaries.lastSeqs(request.user()));
        known.putAll(summaries.groupLastSeqs(groupFloors.keySet()));
        known.forEach((conv, lastSeq) -> {
            if (lastSeq > positions.getOrDefault(conv, 0L)) {
                candidates.put(conv, lastSeq);
            }
        });
        positions.keySet().forEach(conv -> {
            if (!known.containsKey(conv)) {
                candidates.put(conv, Long.MAX_VALUE); // no summary (yet): look at the messages themselves
            }
        });

        List<ChatMessage> page = new ArrayList<>();
        Map<String, Long> complete = new LinkedHashMap<>();
        long bytes = 0;
        boolean hasMore = false;
        Long retryAfter = null;
        for (Map.Entry<String, Long> candidate : candidates.entrySet()) {
            String conv = candidate.getKey();
            long position = positions.getOrDefault(conv, 0L);
            position = Math.max(position, groupFloors.getOrDefault(conv, 1L) - 1); // a member reads from joining
            if (notBefore > 0) {
                position = Math.max(position, lastSeqBefore(conv, notBefore));
            }
            int room = request.limit() - page.size();
            if (room <= 0) {
                hasMore = true;
                break;
            }
            boolean full = false;
            boolean stopped = false;
            int seen = 0;
            for (Document doc : messages.find(Filters.and(Filters.eq(Message.CONV, conv), Filters.gt(Message.SEQ, position)))
                    .sort(Sorts.ascending(Message.SEQ)).limit(room + 1)) {
                ChatMessage m = MessageDocuments.fromDocument(doc);
                seen++;
                if (m.seq() > position + 1) {
                    long age = now - m.ts();
                    if (age <= holeGrace.toMillis()) {
                        long wait = Math.max(1, holeGrace.toMillis() - age + 1);
                        retryAfter = retryAfter == null ? wait : Math.min(retryAfter, wait);
                        stopped = true;
                        break; // a young gap: may still be stored, do not pass it
                    }
                }
                if (m.ts() < notBefore || !SystemConversation.readableBy(doc, request.user())) {
                    position = m.seq(); // older than this device may see, or a broadcast for others: passed over
                    continue;
                }
                int size = m.toJsonBytes().length + 1;
                if (page.size() >= request.limit() || (!page.isEmpty() && bytes + size > request.maxBytes())) {
                    full = true;
                    break;
                }
                page.add(m);
                bytes += size;
                position = m.seq();
            }
            if (seen == 0 && candidate.getValue() == Long.MAX_VALUE) {
                continue; // a position we were told, with nothing above it
            }
            if (seen == 0) {
                // the summary has messages above the position, yet none is stored: removed by retention
                position = Math.max(position, candidate.getValue());
            }
            complete.put(conv, position);
            positions.put(conv, position);
            if (full) {
                hasMore = true;
                break;
            }
            if (!stopped && seen == room + 1) {
                hasMore = true; // every message read was passed over; there may be more behind them
            }
        }
        List<ServerEvent.Sync.Recalled> recalls = new ArrayList<>();
        SyncCursor.RecallMark mark;
        if (request.recalls() == null) {
            mark = startMark(now); // what this page returns already shows every recall up to here
        } else {
            boolean[] more = new boolean[1];
            mark = recalls(request.user(), groupFloors, request.recalls(), notBefore, now, recalls, more);
            hasMore |= more[0];
        }
        return new Result(page, complete, positions, hasMore, retryAfter, recalls, mark, left);
    }

    /**
     * "Recalls up to now are known". Lagging by the hole grace: a recall's {@code recalledAt} is taken before
     * its write lands (and on another node's clock), so a recall stamped just before now may not be visible
     * yet. Recalls inside the grace that were reported are kept in {@link SyncCursor.RecallMark#seen}.
     */
    private SyncCursor.RecallMark startMark(long now) {
        return new SyncCursor.RecallMark(Math.max(0, now - holeGrace.toMillis()), Set.of());
    }

    /**
     * Adds to {@code out} the recalls after {@code mark} of messages the user sent or received (the sparse
     * {@code (from|to, recalledAt)} indexes hold only recalled messages), at most {@link #MAX_RECALLS};
     * returns the mark after them and sets {@code more[0]} when more are waiting. Messages older than the
     * device may see are passed over.
     */
    private SyncCursor.RecallMark recalls(String user, Map<String, Long> groupFloors, SyncCursor.RecallMark mark,
                                          long notBefore, long now, List<ServerEvent.Sync.Recalled> out, boolean[] more) {
        var after = Filters.gte(Message.RECALLED_AT, mark.at());
        List<String> receivers = new ArrayList<>();
        receivers.add(user);
        groupFloors.keySet().forEach(conv -> receivers.add(ConversationId.groupOf(conv)
                .orElse(conv))); // a group message's "to" is the group; a broadcast's the system conversation
        var filter = Filters.or(Filters.and(Filters.eq(Message.FROM, user), after),
                Filters.and(Filters.in(Message.TO, receivers), after));
        // (recalledAt, id) of everything at or after the mark that has now been reported, earlier or here
        List<Map.Entry<Long, String>> reported = new ArrayList<>();
        int taken = 0;
        for (Document d : messages.find(filter)
                .projection(Projections.include(Message.CONV, Message.SEQ, Message.TS, Message.RECALLED_AT,
                        Message.AUDIENCE, Message.FROM, Message.RECALLED_BY, Message.RECALL_REASON))
                .sort(Sorts.ascending(Message.RECALLED_AT, Message.ID)).limit(MAX_RECALLS + 1 + mark.seen().size())) {
            long at = ((Number) d.get(Message.RECALLED_AT)).longValue();
            String id = String.valueOf(d.get(Message.ID));
            if (mark.seen().contains(id)) {
                reported.add(Map.entry(at, id)); // reported on an earlier page
                continue;
            }
            if (taken == MAX_RECALLS) {
                more[0] = true;
                break;
            }
            taken++;
            reported.add(Map.entry(at, id));
            if (((Number) d.get(Message.TS)).longValue() < notBefore || !SystemConversation.readableBy(d, user)) {
                continue; // older than this device may see, or a broadcast for others: it never had it
            }
            Long floor = groupFloors.get(d.getString(Message.CONV));
            if (floor != null && ((Number) d.get(Message.SEQ)).longValue() < floor) {
                continue; // from before the user joined: never theirs
            }
            String by = d.getString(Message.RECALLED_BY);
            out.add(new ServerEvent.Sync.Recalled(d.getString(Message.CONV), id, ((Number) d.get(Message.SEQ)).longValue(), at,
                    by != null ? by : d.getString(Message.FROM), d.getString(Message.RECALL_REASON)));
        }
        long at = more[0] ? reported.get(reported.size() - 1).getKey() : Math.max(mark.at(), startMark(now).at());
        Set<String> seen = new HashSet<>();
        for (Map.Entry<Long, String> r : reported) {
            if (r.getKey() >= at) {
                seen.add(r.getValue());
            }
        }
        if (seen.size() > SyncCursor.MAX_SEEN_RECALLS) {
            // only with over a thousand recalls of one user's conversations within the grace (or one ms when
            // paging): rather than grow the cursor, report some again (or, paging, pass that millisecond)
            seen = Set.of();
            if (more[0]) {
                at++;
            }
        }
        return new SyncCursor.RecallMark(at, seen);
    }
}
