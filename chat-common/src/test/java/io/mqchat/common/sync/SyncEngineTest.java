package io.mqchat.common.sync;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.common.store.MutableClock;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.common.store.TestStore;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sync algorithm on a real MongoDB wire server: holes young and old, paging, cursors. */
class SyncEngineTest {

    private static final Duration GRACE = Duration.ofSeconds(15);

    @RegisterExtension
    final TestStore store = new TestStore();
    private MongoCollection<Document> messages;
    private ConversationSummaries summaries;
    private SummaryWriter writer;
    private MutableClock clock;
    private SyncEngine engine;

    @BeforeEach
    void start() {
        MongoDatabase db = store.db();
        messages = db.getCollection(StoreSchema.MESSAGES);
        clock = new MutableClock(1_800_000_000_000L);
        summaries = new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS), messages, clock);
        writer = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock);
        engine = new SyncEngine(messages, summaries, GRACE, clock);
    }

    /** Stores messages now (ts = the clock), as the broker does: messages, then summaries. */
    private void store(String conv, String from, String to, long... seqs) {
        List<ChatMessage> batch = new ArrayList<>();
        for (long seq : seqs) {
            batch.add(new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, to, clock.millis(), "phone",
                    conv + "-" + seq, "text", TextNode.valueOf(conv + " #" + seq)));
        }
        batch.forEach(m -> messages.insertOne(MessageDocuments.toDocument(m)));
        writer.apply(batch);
    }

    private SyncEngine.Result sync(String user, Map<String, Long> positions, int limit) {
        SyncEngine.validate(user, positions);
        return engine.sync(new SyncEngine.Request(user, positions, limit, 1 << 20));
    }

    private static List<Long> seqs(SyncEngine.Result r, String conv) {
        return r.messages().stream().filter(m -> m.conv().toString().equals(conv)).map(ChatMessage::seq).toList();
    }

    @Test
    void aBrandNewDeviceGetsEverythingPagedAcrossConversationsAndTheCursorContinues() {
        for (long s = 1; s <= 7; s++) {
            store("d:alice:bob", "alice", "bob", s);
        }
        clock.advance(1);
        store("d:bob:carol", "carol", "bob", 1, 2, 3);
        List<ChatMessage> got = new ArrayList<>();
        Map<String, Long> positions = Map.of();
        int pages = 0;
        SyncEngine.Result r;
        do {
            r = sync("bob", positions, 4);
            got.addAll(r.messages());
            positions = SyncCursor.decode(r.cursor());
            pages++;
        } while (r.hasMore());
        assertThat(pages).isEqualTo(3);
        // newest conversation first, each in seq order, nothing twice
        assertThat(got).extracting(m -> m.conv() + "/" + m.seq()).containsExactly(
                "d:bob:carol/1", "d:bob:carol/2", "d:bob:carol/3",
                "d:alice:bob/1", "d:alice:bob/2", "d:alice:bob/3", "d:alice:bob/4", "d:alice:bob/5",
                "d:alice:bob/6", "d:alice:bob/7");
        assertThat(positions).containsEntry("d:alice:bob", 7L).containsEntry("d:bob:carol", 3L);
        assertThat(r.retryAfterMs()).isNull();
        // next time: only what is new
        store("d:alice:bob", "alice", "bob", 8);
        SyncEngine.Result next = sync("bob", positions, 100);
        assertThat(seqs(next, "d:alice:bob")).containsExactly(8L);
        assertThat(next.complete()).containsExactly(Map.entry("d:alice:bob", 8L));
        assertThat(sync("bob", SyncCursor.decode(next.cursor()), 100).messages()).isEmpty();
    }

    @Test
    void aYoungGapStopsTheConversationAndAnOldOneIsSkipped() {
        store("d:alice:bob", "alice", "bob", 1, 2);
        store("d:alice:bob", "alice", "bob", 4, 5); // 3 is allocated but not stored (yet)
        store("d:bob:carol", "carol", "bob", 1);
        SyncEngine.Result young = sync("bob", Map.of(), 100);
        assertThat(seqs(young, "d:alice:bob")).containsExactly(1L, 2L);
        assertThat(young.complete()).containsEntry("d:alice:bob", 2L).containsEntry("d:bob:carol", 1L);
        assertThat(young.hasMore()).isFalse();
        assertThat(young.retryAfterMs()).isBetween(1L, GRACE.toMillis() + 1);

        // seq 3 arrives late: the next sync delivers it and continues
        clock.advance(1_000);
        store("d:alice:bob", "alice", "bob", 3);
        SyncEngine.Result filled = sync("bob", SyncCursor.decode(young.cursor()), 100);
        assertThat(seqs(filled, "d:alice:bob")).containsExactly(3L, 4L, 5L);
        assertThat(filled.complete()).containsEntry("d:alice:bob", 5L);

        // a gap (6) followed by a message older than the grace is a permanent hole
        store("d:alice:bob", "alice", "bob", 7);
        SyncEngine.Result stillYoung = sync("bob", SyncCursor.decode(filled.cursor()), 100);
        assertThat(stillYoung.messages()).isEmpty();
        assertThat(stillYoung.complete()).containsEntry("d:alice:bob", 5L);
        clock.advance(GRACE.toMillis() + 1);
        SyncEngine.Result old = sync("bob", SyncCursor.decode(filled.cursor()), 100);
        assertThat(seqs(old, "d:alice:bob")).containsExactly(7L);
        assertThat(old.complete()).containsEntry("d:alice:bob", 7L);
        assertThat(old.retryAfterMs()).isNull();
    }

    @Test
    void explicitPositionsAndAConversationWithoutSummary() {
        store("d:alice:bob", "alice", "bob", 1, 2, 3);
        // a message whose summary is not written yet is still found for a conversation the client names
        messages.insertOne(MessageDocuments.toDocument(new ChatMessage(new ObjectId().toHexString(), ConversationId.of("d:bob:dave"), 1,
                "dave", "bob", clock.millis(), "web", "x", "text", TextNode.valueOf("no summary"))));
        Map<String, Long> positions = new LinkedHashMap<>();
        positions.put("d:alice:bob", 2L);
        positions.put("d:bob:dave", 0L);
        positions.put("d:bob:erin", 5L);
        SyncEngine.Result r = sync("bob", positions, 100);
        assertThat(r.messages()).extracting(m -> m.conv() + "/" + m.seq()).containsExactly("d:alice:bob/3", "d:bob:dave/1");
        assertThat(r.complete()).doesNotContainKey("d:bob:erin");
        assertThat(SyncCursor.decode(r.cursor())).containsEntry("d:bob:erin", 5L).containsEntry("d:bob:dave", 1L);
    }

    @Test
    void pagesAreBoundedByBytesButAlwaysProgress() {
        for (long s = 1; s <= 10; s++) {
            store("d:alice:bob", "alice", "bob", s);
        }
        SyncEngine.Result r = engine.sync(new SyncEngine.Request("bob", Map.of(), 100, 1));
        assertThat(r.messages()).hasSize(1);
        assertThat(r.hasMore()).isTrue();
        int one = r.messages().get(0).toJsonBytes().length + 1;
        SyncEngine.Result three = engine.sync(new SyncEngine.Request("bob", SyncCursor.decode(r.cursor()), 100, 3 * one + 2));
        assertThat(seqs(three, "d:alice:bob")).containsExactly(2L, 3L, 4L);
    }

    @Test
    void positionsAndCursorsAreValidated() {
        assertThatThrownBy(() -> SyncEngine.validate("bob", Map.of("d:alice:carol", 1L)))
                .hasMessageContaining("not one of your conversations");
        assertThatThrownBy(() -> SyncEngine.validate("bob", Map.of("{\"$gt\":1}", 1L)))
                .hasMessageContaining("is not a conversation id");
        assertThatThrownBy(() -> SyncCursor.decode("not-a-cursor")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncCursor.decode("x".repeat(70_000))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncCursor.positions(Json.MAPPER.createObjectNode().put("d:alice:bob", -1)))
                .hasMessageContaining(">= 0");
        assertThatThrownBy(() -> SyncCursor.positions(Json.MAPPER.createObjectNode().put("d:alice:bob", "3")))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, Long> many = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            many.put("d:bob:user" + i, (long) i);
        }
        String cursor = SyncCursor.encode(many);
        assertThat(cursor.length()).as("compressed").isLessThan(20_000);
        assertThat(SyncCursor.decode(cursor)).isEqualTo(many);
    }

    // --- recalls -----------------------------------------------------------------------------------------

    private SyncEngine.Result sync(String user, String cursor) {
        return engine.sync(SyncEngine.Request.of(user, SyncCursor.decodeState(cursor), 100, 1 << 20,
                io.mqchat.common.auth.HistoryPolicy.Visibility.ALL));
    }

    private ChatMessage stored(String conv, long seq) {
        return MessageDocuments.fromDocument(messages.find(new Document("conv", conv).append("seq", seq)).first());
    }

    private MessageRecall recall() {
        return new MessageRecall(messages, store.db().getCollection(StoreSchema.CONVERSATIONS),
                Duration.ofMinutes(2), clock);
    }

    @Test
    void aRecallAfterTheCursorIsReportedOnceThenNotAgain() {
        store("d:alice:bob", "alice", "bob", 1, 2);
        store("d:bob:carol", "carol", "bob", 1);
        SyncEngine.Result first = sync("bob", Map.of(), 100); // a new device: everything, no recall list
        assertThat(first.messages()).hasSize(3);
        assertThat(first.recalls()).isEmpty();
        SyncEngine.Result carolFirst = sync("carol", Map.of(), 100);

        clock.advance(1_000);
        ChatMessage m1 = stored("d:alice:bob", 1);
        assertThat(recall().recall("alice", null, m1.id())).isInstanceOf(MessageRecall.Recalled.class);

        SyncEngine.Result second = sync("bob", first.cursor());
        assertThat(second.messages()).isEmpty(); // below bob's position: not sent again...
        assertThat(second.recalls()).containsExactly(                         // ...but its recall is
                new ServerEvent.Sync.Recalled("d:alice:bob", m1.id(), 1, clock.millis(), "alice", null));
        assertThat(second.hasMore()).isFalse();
        // at once (within the grace) and much later: not again
        assertThat(sync("bob", second.cursor()).recalls()).isEmpty();
        clock.advance(GRACE.toMillis() * 3);
        SyncEngine.Result third = sync("bob", second.cursor());
        assertThat(third.recalls()).isEmpty();
        assertThat(sync("bob", third.cursor()).recalls()).isEmpty();
        // not a member: carol hears nothing of it
        assertThat(sync("carol", carolFirst.cursor()).recalls()).isEmpty();
        // the sender's other devices are told too
        assertThat(sync("alice", SyncCursor.encode(Map.of(), first.recallMark())).recalls())
                .extracting(ServerEvent.Sync.Recalled::id).containsExactly(m1.id());
    }

    @Test
    void recallsArePagedWithHasMoreAndNeverRepeated() {
        int n = SyncEngine.MAX_RECALLS + 50;
        for (long s = 1; s <= n; s++) {
            store("d:alice:bob", "alice", "bob", s);
        }
        SyncEngine.Result start = sync("bob", Map.of(), 500);
        clock.advance(GRACE.toMillis() * 2);
        // all recalled in the same millisecond: paging must not depend on distinct times
        messages.updateMany(new Document(), new Document("$set", new Document("recalledAt", clock.millis())
                .append("type", ChatMessage.RECALLED_TYPE)));
        List<String> ids = new ArrayList<>();
        SyncEngine.Result r = sync("bob", start.cursor());
        assertThat(r.recalls()).hasSize(SyncEngine.MAX_RECALLS);
        assertThat(r.hasMore()).isTrue();
        r.recalls().forEach(x -> ids.add(x.id()));
        r = sync("bob", r.cursor());
        assertThat(r.hasMore()).isFalse();
        r.recalls().forEach(x -> ids.add(x.id()));
        assertThat(ids).hasSize(n).doesNotHaveDuplicates();
        assertThat(sync("bob", r.cursor()).recalls()).isEmpty();
    }

    @Test
    void recallCursorRoundTripAndOldCursors() {
        SyncCursor.RecallMark mark = new SyncCursor.RecallMark(1_800_000_000_123L, java.util.Set.of("a1", "b2"));
        SyncCursor.State state = SyncCursor.decodeState(SyncCursor.encode(Map.of("d:alice:bob", 4L), mark));
        assertThat(state.positions()).containsExactly(Map.entry("d:alice:bob", 4L));
        assertThat(state.recalls()).isEqualTo(mark);

        // a cursor from before recalls were synced (no mark): every stored recall is reported, once
        store("d:alice:bob", "alice", "bob", 1, 2);
        String old = SyncCursor.encode(Map.of("d:alice:bob", 2L));
        assertThat(SyncCursor.decodeState(old).recalls()).isEqualTo(SyncCursor.RecallMark.ZERO);
        ChatMessage m2 = stored("d:alice:bob", 2);
        recall().recall("alice", "d:alice:bob", m2.id());
        clock.advance(GRACE.toMillis() * 2);
        SyncEngine.Result r = sync("bob", old);
        assertThat(r.recalls()).extracting(ServerEvent.Sync.Recalled::id).containsExactly(m2.id());
        assertThat(sync("bob", r.cursor()).recalls()).isEmpty();
        // explicit positions (no cursor): no recall list, but the cursor returned starts one
        SyncEngine.Result positions = sync("bob", Map.of("d:alice:bob", 2L), 100);
        assertThat(positions.recalls()).isEmpty();
        assertThat(positions.recallMark()).isNotNull();
    }
}
