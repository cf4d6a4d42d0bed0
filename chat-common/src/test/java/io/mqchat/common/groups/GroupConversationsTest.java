package io.mqchat.common.groups;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.MutableClock;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.common.store.TestStore;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group conversations on a real MongoDB wire server: read diffusion (one summary per group, not per
 * member), unread and mentions per member, history from joining in sync, removed members.
 */
class GroupConversationsTest {

    private static final String CONV = "g:team";

    @RegisterExtension
    final TestStore store = new TestStore();
    private MongoDatabase db;
    private MongoCollection<Document> messages;
    private ConversationSummaries summaries;
    private SummaryWriter writer;
    private GroupDirectory directory;
    private SyncEngine engine;
    private MutableClock clock;

    @BeforeEach
    void start() {
        db = store.db();
        messages = db.getCollection(StoreSchema.MESSAGES);
        clock = new MutableClock(1_800_000_000_000L);
        summaries = new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS), messages, clock);
        writer = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock);
        directory = new GroupDirectory(db.getCollection(StoreSchema.GROUPS), db.getCollection(StoreSchema.GROUP_MEMBERS));
        engine = new SyncEngine(messages, summaries, directory, Duration.ofSeconds(15), clock);
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document("_id", "team").append("name", "Team")
                .append("owner", "alice").append("memberCount", 3).append("createdAt", new Date()));
        member("alice", "owner", 1);
        member("bob", "member", 1);
    }

    private void member(String user, String role, long fromSeq) {
        db.getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document("_id", "team|" + user)
                .append("groupId", "team").append("userId", user).append("role", role)
                .append("joinedAt", new Date()).append("fromSeq", fromSeq));
    }

    private ChatMessage store(long seq, String from, String type, List<String> mentions) {
        ChatMessage m = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(CONV), seq, from, "team", clock.millis(), "phone",
                "c" + seq, type, TextNode.valueOf("message " + seq), null, mentions);
        messages.insertOne(MessageDocuments.toDocument(m));
        writer.apply(List.of(m));
        clock.advance(10);
        return m;
    }

    @Test
    void oneSummaryPerGroupAndUnreadMentionsPerMember() {
        store(1, "alice", "text", null);
        store(2, "bob", "text", List.of("carol"));
        store(3, "alice", ChatMessage.EVENT_TYPE, null);
        store(4, "alice", "text", List.of("bob"));
        MongoCollection<Document> conversations = db.getCollection(StoreSchema.CONVERSATIONS);
        // the group summary, the senders' read positions and carol's mention: nothing for silent readers
        assertThat(conversations.find().map(d -> d.getString("_id")).into(new java.util.ArrayList<>()))
                .containsExactlyInAnyOrder("g:team", "alice|g:team", "bob|g:team", "carol|g:team");
        member("carol", "member", 2);

        ConversationSummaries.Summary bob = summaries.groupView("bob", CONV, 1).orElseThrow();
        assertThat(bob.lastSeq()).isEqualTo(4);
        assertThat(bob.readSeq()).as("own message read").isEqualTo(2);
        assertThat(bob.unread()).as("seq 4 only: own and event messages do not count").isEqualTo(1);
        assertThat(bob.mentioned()).isTrue();
        assertThat(bob.last().text()).isEqualTo("message 4");

        ConversationSummaries.Summary carol = summaries.groupView("carol", CONV, 2).orElseThrow();
        assertThat(carol.unread()).as("from joining (seq 2) on").isEqualTo(2);
        assertThat(carol.mentioned()).isTrue();
        summaries.markRead("carol", ConversationId.of(CONV), 4);
        carol = summaries.groupView("carol", CONV, 2).orElseThrow();
        assertThat(carol.unread()).isZero();
        assertThat(carol.mentioned()).isFalse();

        store(5, "alice", "text", List.of(ChatMessage.MENTION_ALL));
        assertThat(summaries.groupView("carol", CONV, 2).orElseThrow().mentioned()).as("@all").isTrue();
        assertThat(summaries.groupView("alice", CONV, 1).orElseThrow().mentioned()).as("not your own @all").isFalse();
    }

    @Test
    void conversationListMergesDirectAndGroupsNewestFirstAcrossPages() {
        ChatMessage d1 = new ChatMessage(new ObjectId().toHexString(), ConversationId.of("d:bob:carol"), 1, "carol", "bob", clock.millis(),
                "phone", "d1", "text", TextNode.valueOf("direct"));
        messages.insertOne(MessageDocuments.toDocument(d1));
        writer.apply(List.of(d1));
        clock.advance(10);
        store(1, "alice", "text", null);
        ChatMessage d2 = new ChatMessage(new ObjectId().toHexString(), ConversationId.of("d:bob:dave"), 1, "dave", "bob", clock.millis(),
                "phone", "d2", "text", TextNode.valueOf("direct 2"));
        messages.insertOne(MessageDocuments.toDocument(d2));
        writer.apply(List.of(d2));

        Map<String, Long> groups = directory.groupsOf("bob");
        assertThat(groups).containsExactly(Map.entry("team", 1L));
        ConversationSummaries.Page first = summaries.recent("bob", groups, 2, null, null);
        assertThat(first.summaries()).extracting(ConversationSummaries.Summary::conv)
                .containsExactly("d:bob:dave", CONV);
        assertThat(first.hasMore()).isTrue();
        ConversationSummaries.Summary last = first.summaries().get(1);
        ConversationSummaries.Page second = summaries.recent("bob", groups, 2, last.lastTs(), last.conv());
        assertThat(second.summaries()).extracting(ConversationSummaries.Summary::conv).containsExactly("d:bob:carol");
        assertThat(second.hasMore()).isFalse();
        assertThat(summaries.recent("mallory", directory.groupsOf("mallory"), 10, null, null).summaries()).isEmpty();
    }

    @Test
    void syncCoversAMembersGroupsFromJoiningAndDropsGroupsLeft() {
        for (long seq = 1; seq <= 5; seq++) {
            store(seq, "alice", "text", null);
        }
        member("carol", "member", 4);
        clock.advance(60_000);

        SyncEngine.Result carol = engine.sync(new SyncEngine.Request("carol", Map.of(), 100, 1 << 20));
        assertThat(carol.messages()).extracting(ChatMessage::seq).containsExactly(4L, 5L);
        assertThat(carol.complete()).containsEntry(CONV, 5L);
        SyncEngine.Result bob = engine.sync(new SyncEngine.Request("bob", Map.of(CONV, 2L), 100, 1 << 20));
        assertThat(bob.messages()).extracting(ChatMessage::seq).containsExactly(3L, 4L, 5L);

        // recalls of group messages reach members' devices through sync
        SyncCursor.RecallMark mark = new SyncCursor.RecallMark(clock.millis() - 1000, java.util.Set.of());
        messages.updateOne(Filters.and(Filters.eq("conv", CONV), Filters.eq("seq", 5L)),
                Updates.set(StoreSchema.Message.RECALLED_AT, clock.millis()));
        SyncEngine.Result recalls = engine.sync(new SyncEngine.Request("bob", Map.of(CONV, 5L), 100, 1 << 20,
                io.mqchat.common.auth.HistoryPolicy.Visibility.ALL, mark));
        assertThat(recalls.recalls()).extracting(ServerEvent.Sync.Recalled::msgSeq).containsExactly(5L);

        // bob removed: his device's position of the group is dropped, nothing more comes
        db.getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq("_id", "team|bob"));
        store(6, "alice", "text", null);
        clock.advance(60_000);
        SyncEngine.Result removed = engine.sync(new SyncEngine.Request("bob", Map.of(CONV, 5L), 100, 1 << 20));
        assertThat(removed.messages()).isEmpty();
        assertThat(removed.positions()).doesNotContainKey(CONV);
        assertThat(removed.left()).as("the device learns it is out").containsExactly(CONV);
        assertThat(bob.left()).isEmpty();
        assertThat(directory.member("team", "bob")).isEmpty();
        assertThat(directory.member("team", "alice")).hasValueSatisfying(m -> assertThat(m.isAdmin()).isTrue());
    }
}
