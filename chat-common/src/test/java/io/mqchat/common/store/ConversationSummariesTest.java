package io.mqchat.common.store;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Summary maintenance against a real MongoDB wire server (mongo-java-server, the embedded default). */
class ConversationSummariesTest {

    private static final String CONV = "d:alice:bob";

    @RegisterExtension
    final TestStore store = new TestStore();
    private MongoCollection<Document> messages;
    private ConversationSummaries summaries;
    private SummaryWriter writer;

    @BeforeEach
    void start() {
        MongoDatabase db = store.db();
        messages = db.getCollection(StoreSchema.MESSAGES);
        MutableClock clock = new MutableClock(1_000_000);
        summaries = new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS), messages, clock);
        writer = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock);
    }

    static ChatMessage msg(String conv, long seq, String from, String to, String text) {
        return new ChatMessage(new org.bson.types.ObjectId().toHexString(), ConversationId.of(conv), seq, from, to,
                1_000L + seq, "phone", conv + "-" + seq, "text", TextNode.valueOf(text));
    }

    /** Stores messages as the broker does: the message first, then its summary. */
    private void store(List<ChatMessage> batch) {
        batch.forEach(m -> messages.insertOne(MessageDocuments.toDocument(m)));
        writer.apply(batch);
    }

    @Test
    void aConversationIsMutualOnlyOnceBothHaveSent() {
        store(List.of(msg(CONV, 1, "alice", "bob", "hi"), msg(CONV, 2, "alice", "bob", "hello?")));
        summaries.markRead("bob", ConversationId.of(CONV), 2); // reading is not taking part
        assertThat(summaries.bothSent("alice", "bob")).isFalse();
        assertThat(summaries.bothSent("bob", "alice")).isFalse();
        store(List.of(msg(CONV, 3, "bob", "alice", "hi alice")));
        assertThat(summaries.bothSent("alice", "bob")).isTrue();
        assertThat(summaries.bothSent("bob", "alice")).isTrue();
        assertThat(summaries.bothSent("alice", "carol")).isFalse();
        assertThat(summaries.bothSent("alice", "alice")).isFalse();
    }

    @Test
    void summariesFromBeforeSentSeqAreRepairedFromTheMessagesOnce() {
        store(List.of(msg(CONV, 1, "alice", "bob", "hi"), msg(CONV, 2, "bob", "alice", "hi alice"),
                msg("d:alice:carol", 1, "alice", "carol", "hello carol")));
        // as an older version wrote them: no sentSeq, no marker
        MongoCollection<Document> docs = store.db().getCollection(StoreSchema.CONVERSATIONS);
        docs.updateMany(new Document(), new Document("$unset", new Document(StoreSchema.Conversation.SENT_SEQ, "")
                .append(StoreSchema.Conversation.SENT_TRACKED, "")));
        assertThat(summaries.bothSent("alice", "bob")).isTrue();
        assertThat(summaries.bothSent("alice", "carol")).isFalse();
        Document bob = docs.find(new Document("_id", ConversationSummaries.id("bob", CONV))).first();
        assertThat(bob.get(StoreSchema.Conversation.SENT_SEQ)).isEqualTo(2L);
        assertThat(bob.getBoolean(StoreSchema.Conversation.SENT_TRACKED)).isTrue();
        // carol never wrote: remembered, so the messages are not searched again
        Document carol = docs.find(new Document("_id", ConversationSummaries.id("carol", "d:alice:carol"))).first();
        assertThat(carol.getBoolean(StoreSchema.Conversation.SENT_TRACKED)).isTrue();
        assertThat(carol.get(StoreSchema.Conversation.SENT_SEQ)).isNull();
        messages.insertOne(MessageDocuments.toDocument(msg("d:alice:carol", 2, "carol", "alice", "late")));
        assertThat(summaries.bothSent("alice", "carol")).as("only the summary writer records it now").isFalse();
        writer.apply(List.of(msg("d:alice:carol", 2, "carol", "alice", "late")));
        assertThat(summaries.bothSent("alice", "carol")).isTrue();
    }

    @Test
    void lastMessagePreviewUnreadAndOwnMessagesNeverUnread() {
        store(List.of(msg(CONV, 1, "alice", "bob", "hi"), msg(CONV, 2, "alice", "bob", "there"),
                msg(CONV, 3, "bob", "alice", "x".repeat(150))));
        ConversationSummaries.Summary bob = summaries.find("bob", CONV).orElseThrow();
        ConversationSummaries.Summary alice = summaries.find("alice", CONV).orElseThrow();
        assertThat(bob.peer()).isEqualTo("alice");
        assertThat(bob.lastSeq()).isEqualTo(3);
        assertThat(bob.lastTs()).isEqualTo(1_003L);
        assertThat(bob.last().from()).isEqualTo("bob");
        assertThat(bob.last().text()).hasSize(101).endsWith("…");
        // bob sent seq 3: he has read up to it, so alice's 1 and 2 no longer count
        assertThat(bob.readSeq()).isEqualTo(3);
        assertThat(bob.unread()).isZero();
        assertThat(alice.readSeq()).isEqualTo(2);
        assertThat(alice.unread()).isEqualTo(1);
        assertThat(alice.peer()).isEqualTo("bob");
    }

    @Test
    void outOfOrderAndRepeatedBatchesNeverMoveBackwards() {
        store(List.of(msg(CONV, 5, "alice", "bob", "five"), msg(CONV, 6, "alice", "bob", "six")));
        store(List.of(msg(CONV, 3, "alice", "bob", "three"), msg(CONV, 4, "alice", "bob", "four")));
        writer.apply(List.of(msg(CONV, 6, "alice", "bob", "six"))); // a repeat is harmless
        ConversationSummaries.Summary bob = summaries.find("bob", CONV).orElseThrow();
        assertThat(bob.lastSeq()).isEqualTo(6);
        assertThat(bob.last().text()).isEqualTo("six");
        assertThat(bob.unread()).isEqualTo(4);
    }

    @Test
    void aLateMessageBelowTheReadPositionIsNotUnread() {
        store(List.of(msg(CONV, 1, "alice", "bob", "1"), msg(CONV, 3, "alice", "bob", "3")));
        ConversationSummaries.ReadResult read = summaries.markRead("bob", ConversationId.of(CONV), 3);
        assertThat(read.moved()).isTrue();
        assertThat(read.summary().unread()).isZero();
        store(List.of(msg(CONV, 2, "alice", "bob", "late"), msg(CONV, 4, "alice", "bob", "4")));
        assertThat(summaries.find("bob", CONV).orElseThrow().unread()).isEqualTo(1);
        assertThat(summaries.markRead("bob", ConversationId.of(CONV), 2).moved()).as("never back").isFalse();
        assertThat(summaries.find("bob", CONV).orElseThrow().readSeq()).isEqualTo(3);
        assertThat(summaries.markRead("bob", ConversationId.of(CONV), 4).summary().unread()).isZero();
    }

    @Test
    void concurrentOutOfOrderBatchesFromTwoWritersGiveTheExactResult() throws Exception {
        List<ChatMessage> all = new ArrayList<>();
        String[] peers = {"bob", "carol", "dave"};
        for (String peer : peers) {
            String conv = "d:alice:" + peer;
            for (long seq = 1; seq <= 300; seq++) {
                boolean fromAlice = seq % 3 == 0;
                all.add(msg(conv, seq, fromAlice ? "alice" : peer, fromAlice ? peer : "alice", "m" + seq));
            }
        }
        all.forEach(m -> messages.insertOne(MessageDocuments.toDocument(m)));
        Collections.shuffle(all, new Random(42));
        List<List<ChatMessage>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 37) {
            batches.add(all.subList(i, Math.min(all.size(), i + 37)));
        }
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<ChatMessage> b : batches) {
                done.add(writers.submit(() -> writer.apply(b)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdown();
        }
        for (String peer : peers) {
            String conv = "d:alice:" + peer;
            ConversationSummaries.Summary alice = summaries.find("alice", conv).orElseThrow();
            assertThat(alice.lastSeq()).isEqualTo(300);
            assertThat(alice.last().text()).isEqualTo("m300");
            assertThat(alice.readSeq()).as("alice's own last message").isEqualTo(300);
            assertThat(alice.unread()).isZero();
            ConversationSummaries.Summary other = summaries.find(peer, conv).orElseThrow();
            assertThat(other.readSeq()).isEqualTo(299);
            assertThat(other.unread()).as("only alice's 300 is after %s's last reply", peer).isEqualTo(1);
        }
    }

    @Test
    void aboveTheCapUnreadIsCountedFromTheMessages() {
        List<ChatMessage> batch = new ArrayList<>();
        for (long seq = 1; seq <= ConversationSummaries.UNREAD_CAP + 200; seq++) {
            batch.add(msg(CONV, seq, "alice", "bob", "m" + seq));
            if (batch.size() == 300) {
                store(batch);
                batch = new ArrayList<>();
            }
        }
        store(batch);
        assertThat(summaries.find("bob", CONV).orElseThrow().unread()).isEqualTo(ConversationSummaries.UNREAD_CAP + 200);
        int cap = ConversationSummaries.UNREAD_CAP;
        assertThat(summaries.markRead("bob", ConversationId.of(CONV), cap).summary().unread()).isEqualTo(200);
        assertThat(summaries.markRead("bob", ConversationId.of(CONV), cap + 200).summary().unread()).isZero();
        store(List.of(msg(CONV, cap + 201, "alice", "bob", "after")));
        assertThat(summaries.find("bob", CONV).orElseThrow().unread()).isEqualTo(1);
    }

    @Test
    void recentPagesByLastActivityAndReadsPeerPositions() {
        store(List.of(msg("d:alice:bob", 1, "bob", "alice", "b")));
        store(List.of(msg("d:alice:carol", 1, "carol", "alice", "c"), msg("d:alice:carol", 2, "carol", "alice", "c2")));
        store(List.of(msg("d:alice:dave", 3, "dave", "alice", "d")));
        ConversationSummaries.Page first = summaries.recent("alice", 2, null, null);
        assertThat(first.summaries()).extracting(ConversationSummaries.Summary::conv)
                .containsExactly("d:alice:dave", "d:alice:carol");
        assertThat(first.hasMore()).isTrue();
        ConversationSummaries.Summary last = first.summaries().get(1);
        ConversationSummaries.Page second = summaries.recent("alice", 2, last.lastTs(), last.conv());
        assertThat(second.summaries()).extracting(ConversationSummaries.Summary::conv).containsExactly("d:alice:bob");
        assertThat(second.hasMore()).isFalse();
        assertThat(summaries.readSeqsOf(Map.of("d:alice:carol", "carol"))).containsEntry("d:alice:carol", 2L);
    }
}
