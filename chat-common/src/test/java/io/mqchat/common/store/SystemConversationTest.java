package io.mqchat.common.store;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The system conversation on a real MongoDB wire server: broadcasts stored once (one message, one shared
 * summary), each user reading those for them — in sync, unread counts, previews, the conversation list and
 * the recall list — and nobody else's.
 */
class SystemConversationTest {

    private static final String CONV = ConversationId.SYSTEM_TEXT;

    @RegisterExtension
    final TestStore store = new TestStore();
    private MongoCollection<Document> messages;
    private MongoCollection<Document> conversations;
    private ConversationSummaries summaries;
    private SummaryWriter writer;
    private SyncEngine engine;
    private MutableClock clock;

    @BeforeEach
    void start() {
        MongoDatabase db = store.db();
        messages = db.getCollection(StoreSchema.MESSAGES);
        conversations = db.getCollection(StoreSchema.CONVERSATIONS);
        clock = new MutableClock(1_800_000_000_000L);
        summaries = new ConversationSummaries(conversations, messages, clock);
        writer = new SummaryWriter(conversations, clock);
        GroupDirectory groups = new GroupDirectory(db.getCollection(StoreSchema.GROUPS),
                db.getCollection(StoreSchema.GROUP_MEMBERS));
        engine = new SyncEngine(messages, summaries, groups, Duration.ofSeconds(15), clock);
    }

    /** What {@link ConversationLog} writes for a broadcast (it needs Redis for the seq; the rest is this). */
    private ChatMessage broadcast(long seq, String text, List<String> audience) {
        ChatMessage m = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(CONV), seq, Ids.SYSTEM_USER, CONV, clock.millis(),
                ChatMessage.SERVER_DEVICE, "srv-" + seq, "text", TextNode.valueOf(text));
        Document d = MessageDocuments.toDocument(m);
        if (audience != null) {
            d.append(StoreSchema.Message.AUDIENCE, audience);
        }
        messages.insertOne(d);
        writer.apply(List.of(m), audience != null);
        clock.advance(10);
        return m;
    }

    private SyncEngine.Result sync(String user) {
        return engine.sync(new SyncEngine.Request(user, Map.of(), 100, 1 << 20));
    }

    @Test
    void aBroadcastToEveryoneIsOneMessageAndOneSummaryThatEveryUserReads() {
        broadcast(1, "maintenance at 02:00", null);
        assertThat(conversations.find().map(d -> d.getString("_id")).into(new ArrayList<>()))
                .as("one shared summary, no document per user, none for the server").containsExactly(CONV);

        clock.advance(60_000);
        for (String user : List.of("alice", "bob")) {
            SyncEngine.Result r = sync(user);
            assertThat(r.messages()).extracting(m -> m.conv().toString(), ChatMessage::from, ChatMessage::seq)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(CONV, Ids.SYSTEM_USER, 1L));
            assertThat(r.complete()).containsEntry(CONV, 1L);
            ConversationSummaries.Summary view = summaries.groupView(user, CONV, 1).orElseThrow();
            assertThat(view.unread()).isEqualTo(1);
            assertThat(view.last().text()).isEqualTo("maintenance at 02:00");
        }
        summaries.markRead("bob", ConversationId.of(CONV), 1);
        assertThat(summaries.groupView("bob", CONV, 1).orElseThrow().unread()).isZero();
        assertThat(summaries.groupView("alice", CONV, 1).orElseThrow().unread()).as("bob's read is his own").isEqualTo(1);
        assertThat(summaries.recent("alice", Map.of(), 10, null, null).summaries())
                .extracting(ConversationSummaries.Summary::conv).containsExactly(CONV);
    }

    @Test
    void aBroadcastToListedUsersIsPassedOverByEveryoneElse() {
        broadcast(1, "for everyone", null);
        broadcast(2, "for alice only", List.of("alice"));
        clock.advance(60_000);

        assertThat(sync("alice").messages()).extracting(ChatMessage::seq).containsExactly(1L, 2L);
        SyncEngine.Result bob = sync("bob");
        assertThat(bob.messages()).extracting(ChatMessage::seq).as("seq 2 is not bob's").containsExactly(1L);
        assertThat(bob.complete()).as("yet bob is complete past it, not waiting on a gap").containsEntry(CONV, 2L);
        assertThat(bob.retryAfterMs()).isNull();

        ConversationSummaries.Summary aliceView = summaries.groupView("alice", CONV, 1).orElseThrow();
        assertThat(aliceView.unread()).isEqualTo(2);
        assertThat(aliceView.last().text()).isEqualTo("for alice only");
        ConversationSummaries.Summary bobView = summaries.groupView("bob", CONV, 1).orElseThrow();
        assertThat(bobView.unread()).isEqualTo(1);
        assertThat(bobView.last().text()).as("never another user's broadcast as preview").isEqualTo("for everyone");
        assertThat(bobView.lastSeq()).isEqualTo(1);

        assertThat(summaries.groupView("carol", CONV, 1)).isPresent();
        broadcast(3, "for dave", List.of("dave"));
        assertThat(summaries.recent("erin", Map.of(), 10, null, null).summaries()).extracting(s -> s.last().text())
                .containsExactly("for everyone");
    }

    @Test
    void aUserWithNoBroadcastOfTheirsHasNoSystemConversation() {
        broadcast(1, "for alice only", List.of("alice"));
        assertThat(summaries.groupView("bob", CONV, 1)).isEmpty();
        assertThat(summaries.recent("bob", Map.of(), 10, null, null).summaries()).isEmpty();
    }

    @Test
    void theRecallListNamesOnlyTheUsersOwnBroadcasts() {
        ChatMessage all = broadcast(1, "for everyone", null);
        ChatMessage listed = broadcast(2, "for alice only", List.of("alice"));
        clock.advance(60_000);
        SyncCursor.RecallMark mark = new SyncCursor.RecallMark(clock.millis() - 1000, Set.of());
        for (ChatMessage m : List.of(all, listed)) {
            messages.updateOne(Filters.eq("_id", m.id()), Updates.set(StoreSchema.Message.RECALLED_AT, clock.millis()));
        }
        SyncEngine.Result bob = engine.sync(new SyncEngine.Request("bob", Map.of(CONV, 2L), 100, 1 << 20,
                HistoryPolicy.Visibility.ALL, mark));
        assertThat(bob.recalls()).extracting(ServerEvent.Sync.Recalled::id).containsExactly(all.id());
        SyncEngine.Result alice = engine.sync(new SyncEngine.Request("alice", Map.of(CONV, 2L), 100, 1 << 20,
                HistoryPolicy.Visibility.ALL, mark));
        assertThat(alice.recalls()).extracting(ServerEvent.Sync.Recalled::id).containsExactlyInAnyOrder(all.id(), listed.id());
    }

    @Test
    void positionsInTheSystemConversationAreValidForEveryUser() {
        SyncEngine.validate("bob", Map.of(CONV, 3L));
        assertThat(ConversationId.parse(CONV)).contains(ConversationId.SYSTEM);
        assertThat(ConversationId.parse("s:other")).isEmpty();
        assertThat(ConversationId.SYSTEM.toString()).isEqualTo(CONV);
    }
}
