package io.mqchat.common.sync;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import org.bson.Document;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mqchat.common.store.StoreSchema.Message;

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
 */
public final class SyncEngine {

    /** Margin added to the store timeout for the hole grace: clock skew between nodes, slow last writes. */
    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(10);

    private final MongoCollection<Document> messages;
    private final ConversationSummaries summaries;
    private final Duration holeGrace;
    private final Clock clock;

    /**
     * What was asked: the positions the client is complete up to, the page bounds, and what the device may
     * see under the history policy.
     */
    public record Request(String user, Map<String, Long> positions, int limit, int maxBytes,
                          HistoryPolicy.Visibility visibility) {

        /** A device that may see everything. */
        public Request(String user, Map<String, Long> positions, int limit, int maxBytes) {
            this(user, positions, limit, maxBytes, HistoryPolicy.Visibility.ALL);
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
     */
    public record Result(List<ChatMessage> messages, Map<String, Long> complete, Map<String, Long> positions,
                         boolean hasMore, Long retryAfterMs) {

        public String cursor() {
            return SyncCursor.encode(positions);
        }
    }

    public SyncEngine(MongoCollection<Document> messages, ConversationSummaries summaries, Duration holeGrace,
                      Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
        this.holeGrace = holeGrace;
        this.clock = clock;
    }

    public Duration holeGrace() {
        return holeGrace;
    }

    /**
     * Checks client-given positions: every key a direct conversation of {@code user}. Throws
     * {@link IllegalArgumentException} with a client-facing reason otherwise.
     */
    public static void validate(String user, Map<String, Long> positions) {
        for (String conv : positions.keySet()) {
            ConversationId id = ConversationId.parse(conv).orElseThrow(() -> new IllegalArgumentException(
                    "'" + abbreviate(conv) + "' is not a conversation id"));
            if (id.type() != ConversationId.Type.DIRECT || !id.isDirectParticipant(user)) {
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

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }

    /** One page of sync. Positions must have been {@link #validate validated}. */
    public Result sync(Request request) {
        long now = clock.millis();
        Map<String, Long> positions = new LinkedHashMap<>(request.positions());
        HistoryPolicy.Visibility visibility = request.visibility();
        if (visibility.none()) {
            // history policy "none": live delivery only; the positions stay as they were
            return new Result(List.of(), Map.of(), positions, false, null);
        }
        long notBefore = visibility.notBeforeTs();
        Map<String, Long> candidates = new LinkedHashMap<>();
        Map<String, Long> known = summaries.lastSeqs(request.user());
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
                if (m.ts() < notBefore) {
                    position = m.seq(); // older than this device may see: passed over, not delivered
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
        return new Result(page, complete, positions, hasMore, retryAfter);
    }
}
