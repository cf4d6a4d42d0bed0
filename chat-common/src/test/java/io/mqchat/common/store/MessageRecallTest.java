package io.mqchat.common.store;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Recall of direct and group messages against mongo-java-server, with a clock that moves when told. */
class MessageRecallTest {

    private static final String GROUP = "g:crew";
    private static final Duration WINDOW = Duration.ofMinutes(2);
    private static final long NOW = 10_000_000;

    @RegisterExtension
    final TestStore store = new TestStore();
    private MongoDatabase db;
    private MongoCollection<Document> messages;
    private MongoCollection<Document> conversations;
    private ConversationSummaries summaries;
    private SummaryWriter writer;
    private MutableClock clock;
    private MessageRecall recall;

    @BeforeEach
    void start() {
        db = store.db();
        messages = db.getCollection(StoreSchema.MESSAGES);
        conversations = db.getCollection(StoreSchema.CONVERSATIONS);
        clock = new MutableClock(NOW);
        summaries = new ConversationSummaries(conversations, messages, clock);
        writer = new SummaryWriter(conversations, clock);
        GroupDirectory groups = new GroupDirectory(db.getCollection(StoreSchema.GROUPS),
                db.getCollection(StoreSchema.GROUP_MEMBERS));
        recall = new MessageRecall(messages, conversations, groups, WINDOW, clock);
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document(StoreSchema.Group.ID, "crew")
                .append(StoreSchema.Group.OWNER, "alice").append(StoreSchema.Group.CREATED_AT, new Date()));
        member("alice", 1);
        member("bob", 1);
        member("carol", 3); // joined after seq 2
    }

    private void member(String user, long fromSeq) {
        db.getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id("crew", user)).append(StoreSchema.GroupMember.GROUP_ID, "crew")
                .append(StoreSchema.GroupMember.USER_ID, user).append(StoreSchema.GroupMember.ROLE, "member")
                .append(StoreSchema.GroupMember.FROM_SEQ, fromSeq));
    }

    private ChatMessage store(String conv, long seq, String from, String to, List<String> mentions) {
        ChatMessage m = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, to, NOW - 1_000 + seq, "phone",
                conv + "-" + seq, "text", TextNode.valueOf(from + " " + seq), null, mentions);
        messages.insertOne(MessageDocuments.toDocument(m));
        writer.apply(List.of(m));
        return m;
    }

    private Document summary(String id) {
        return conversations.find(Filters.eq(StoreSchema.Conversation.ID, id)).first();
    }

    @Test
    void theSenderRecallsAGroupMessageAndTheGroupPreviewIsBlanked() {
        store(GROUP, 1, "alice", "crew", null);
        ChatMessage m = store(GROUP, 2, "bob", "crew", List.of("alice"));

        MessageRecall.Outcome outcome = recall.recall("bob", GROUP, m.id());

        assertThat(outcome).isInstanceOf(MessageRecall.Recalled.class);
        MessageRecall.Recalled r = (MessageRecall.Recalled) outcome;
        assertThat(r.now()).isTrue();
        assertThat(r.message().type()).isEqualTo(ChatMessage.RECALLED_TYPE);
        assertThat(r.message().body()).isNull();
        assertThat(r.message().recalledAt()).isEqualTo(NOW);
        assertThat(r.message().conv()).hasToString(GROUP);
        Document last = summary(GROUP).get(StoreSchema.Conversation.LAST, Document.class);
        assertThat(last.getString("id")).isEqualTo(m.id());
        assertThat(last.getString("type")).isEqualTo(ChatMessage.RECALLED_TYPE);
        assertThat(last.getString("text")).isNull();
        // the members' own documents (read positions, mentions) carry no preview and are left alone
        assertThat(summary(ConversationSummaries.id("bob", GROUP)).containsKey(StoreSchema.Conversation.LAST)).isFalse();
        assertThat(summaries.groupView("alice", GROUP, 1).orElseThrow().last().type())
                .isEqualTo(ChatMessage.RECALLED_TYPE);

        // again: the same message, not "now"
        MessageRecall.Outcome again = recall.recall("bob", null, m.id());
        assertThat(again).isInstanceOf(MessageRecall.Recalled.class);
        assertThat(((MessageRecall.Recalled) again).now()).isFalse();
    }

    @Test
    void onlyTheSenderWhileAMemberAndWhoCouldReadItLearnsOfAGroupMessage() {
        ChatMessage m = store(GROUP, 2, "bob", "crew", null);

        assertThat(recall.recall("alice", GROUP, m.id())).isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("alice", null, m.id())).isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("carol", GROUP, m.id())).isInstanceOf(MessageRecall.NotFound.class); // joined after
        assertThat(recall.recall("dave", GROUP, m.id())).isInstanceOf(MessageRecall.NotFound.class);  // not a member
        assertThat(recall.recall("bob", "g:other", m.id())).isInstanceOf(MessageRecall.NotFound.class);

        db.getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id("crew", "bob")));
        assertThat(recall.recall("bob", GROUP, m.id())).isInstanceOf(MessageRecall.NotFound.class); // removed
        assertThat(messages.find(Filters.eq(StoreSchema.Message.ID, m.id())).first()
                .containsKey(StoreSchema.Message.RECALLED_AT)).isFalse();
    }

    @Test
    void aGroupMessageOutsideTheWindowIsTooLate() {
        ChatMessage m = store(GROUP, 2, "bob", "crew", null);
        clock.advance(WINDOW.toMillis() + 5_000);
        assertThat(recall.recall("bob", GROUP, m.id())).isEqualTo(new MessageRecall.TooLate(WINDOW));
        assertThat(summary(GROUP).get(StoreSchema.Conversation.LAST, Document.class).getString("text")).isEqualTo("bob 2");
    }

    @Test
    void withoutADirectoryTheSenderRecallsAndOthersLearnNothingWithoutAConversation() {
        MessageRecall plain = new MessageRecall(messages, conversations, WINDOW, clock);
        ChatMessage m = store(GROUP, 2, "bob", "crew", null);
        assertThat(plain.recall("alice", null, m.id())).isInstanceOf(MessageRecall.NotFound.class);
        assertThat(plain.recall("alice", GROUP, m.id())).isInstanceOf(MessageRecall.NotSender.class);
        assertThat(plain.recall("bob", null, m.id())).isInstanceOf(MessageRecall.Recalled.class);
        assertThat(summary(GROUP).get(StoreSchema.Conversation.LAST, Document.class).getString("type"))
                .isEqualTo(ChatMessage.RECALLED_TYPE);
    }

    @Test
    void directRecallBlanksBothPreviewsAndOnlyThose() {
        ChatMessage m = store("d:alice:bob", 1, "alice", "bob", null);
        ChatMessage other = store("d:alice:carol", 1, "alice", "carol", null);

        assertThat(recall.recall("bob", "d:alice:bob", m.id())).isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("carol", null, m.id())).isInstanceOf(MessageRecall.NotFound.class);
        assertThat(recall.recall("alice", "d:alice:bob", m.id())).isInstanceOf(MessageRecall.Recalled.class);

        for (String user : List.of("alice", "bob")) {
            Document last = summary(ConversationSummaries.id(user, "d:alice:bob")).get(StoreSchema.Conversation.LAST,
                    Document.class);
            assertThat(last.getString("type")).isEqualTo(ChatMessage.RECALLED_TYPE);
            assertThat(last.getString("text")).isNull();
        }
        Document untouched = summary(ConversationSummaries.id("carol", "d:alice:carol"))
                .get(StoreSchema.Conversation.LAST, Document.class);
        assertThat(untouched.getString("id")).isEqualTo(other.id());
        assertThat(untouched.getString("type")).isEqualTo("text");
    }

    @Test
    void aRecallToOneselfBlanksTheOnePreview() {
        ChatMessage m = store("d:alice:alice", 1, "alice", "alice", null);
        assertThat(recall.recall("alice", null, m.id())).isInstanceOf(MessageRecall.Recalled.class);
        assertThat(summary(ConversationSummaries.id("alice", "d:alice:alice")).get(StoreSchema.Conversation.LAST,
                Document.class).getString("type")).isEqualTo(ChatMessage.RECALLED_TYPE);
    }

    private void role(String user, String role) {
        db.getCollection(StoreSchema.GROUP_MEMBERS).updateOne(Filters.eq(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id("crew", user)), com.mongodb.client.model.Updates.set(StoreSchema.GroupMember.ROLE, role));
    }

    @Test
    void theOwnerAndAdminsModerateMembersMessagesAtAnyAgeButNotEachOtherOrEvents() {
        role("alice", "owner");
        role("bob", "admin");
        member("dave", 1);
        ChatMessage byAdmin = store(GROUP, 1, "bob", "crew", null);
        ChatMessage byMember = store(GROUP, 2, "dave", "crew", null);
        ChatMessage byOwner = store(GROUP, 3, "alice", "crew", null);
        ChatMessage event = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(GROUP), 4, "alice", "crew", NOW, "server",
                "evt-1", ChatMessage.EVENT_TYPE, Json.MAPPER.createObjectNode().put("event", "group_muted"));
        messages.insertOne(MessageDocuments.toDocument(event));
        clock.advance(WINDOW.toMillis() * 10); // far past the sender's window

        assertThat(recall.recall("dave", GROUP, byAdmin.id())).isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("bob", GROUP, byOwner.id())).as("an admin does not moderate the owner")
                .isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("alice", GROUP, event.id())).as("events stay").isInstanceOf(MessageRecall.NotSender.class);
        assertThat(recall.recall("dave", GROUP, byMember.id())).as("the sender's window has passed")
                .isInstanceOf(MessageRecall.TooLate.class);

        MessageRecall.Outcome byAdminOnMember = recall.recall("bob", GROUP, byMember.id());
        assertThat(byAdminOnMember).isInstanceOfSatisfying(MessageRecall.Recalled.class, r -> {
            assertThat(r.now()).isTrue();
            assertThat(r.by()).isEqualTo("bob");
            assertThat(r.message().type()).isEqualTo(ChatMessage.RECALLED_TYPE);
        });
        MessageRecall.Outcome byOwnerOnAdmin = recall.recall("alice", null, byAdmin.id());
        assertThat(byOwnerOnAdmin).isInstanceOfSatisfying(MessageRecall.Recalled.class,
                r -> assertThat(r.by()).isEqualTo("alice"));
        assertThat(messages.find(Filters.eq(StoreSchema.Message.ID, byAdmin.id())).first()
                .getString(StoreSchema.Message.RECALLED_BY)).isEqualTo("alice");
        // asked again, the answer still names who did it
        assertThat(recall.recall("bob", GROUP, byAdmin.id())).isInstanceOfSatisfying(MessageRecall.Recalled.class, r -> {
            assertThat(r.now()).isFalse();
            assertThat(r.by()).isEqualTo("alice");
        });
    }

    @Test
    void aRecalledMessageIsNoLongerUnreadDirectOrGroup() {
        store("d:alice:bob", 1, "alice", "bob", null);
        ChatMessage second = store("d:alice:bob", 2, "alice", "bob", null);
        assertThat(summaries.find("bob", "d:alice:bob").orElseThrow().unread()).isEqualTo(2);
        assertThat(recall.recall("alice", "d:alice:bob", second.id())).isInstanceOf(MessageRecall.Recalled.class);
        assertThat(summaries.find("bob", "d:alice:bob").orElseThrow().unread()).isEqualTo(1);
        assertThat(summaries.find("alice", "d:alice:bob").orElseThrow().unread()).isZero();

        store(GROUP, 1, "alice", "crew", null);
        ChatMessage groupMessage = store(GROUP, 2, "alice", "crew", null);
        assertThat(summaries.groupView("bob", GROUP, 1).orElseThrow().unread()).isEqualTo(2);
        assertThat(recall.recall("alice", GROUP, groupMessage.id())).isInstanceOf(MessageRecall.Recalled.class);
        assertThat(summaries.groupView("bob", GROUP, 1).orElseThrow().unread()).isEqualTo(1);
    }

    @Test
    void anAdminRemovesAnyMessageAtAnyAgeOnceWithReasonAndThePreviewsAreBlanked() {
        ChatMessage direct = store("d:alice:bob", 1, "alice", "bob", null);
        ChatMessage group = store(GROUP, 2, "bob", "crew", null);
        clock.advance(WINDOW.toMillis() * 100); // far past the sender's window

        MessageRecall.Outcome outcome = recall.removeByAdmin("root", direct.id(), "spam");
        assertThat(outcome).isInstanceOf(MessageRecall.Removed.class);
        MessageRecall.Removed r = (MessageRecall.Removed) outcome;
        assertThat(r.now()).isTrue();
        assertThat(r.by()).isEqualTo("root");
        assertThat(r.reason()).isEqualTo("spam");
        assertThat(r.message().type()).isEqualTo(ChatMessage.RECALLED_TYPE);
        assertThat(r.message().body()).isNull();
        assertThat(r.message().seq()).isEqualTo(1);
        assertThat(r.message().cid()).isEqualTo(direct.cid());
        Document stored = messages.find(Filters.eq(StoreSchema.Message.ID, direct.id())).first();
        assertThat(stored.getString(StoreSchema.Message.RECALLED_BY)).isEqualTo("root");
        assertThat(stored.getString(StoreSchema.Message.RECALL_REASON)).isEqualTo("spam");
        assertThat(stored.containsKey(StoreSchema.Message.BODY)).isFalse();
        for (String user : List.of("alice", "bob")) {
            Document last = summary(ConversationSummaries.id(user, "d:alice:bob")).get(StoreSchema.Conversation.LAST,
                    Document.class);
            assertThat(last.getString("type")).isEqualTo(ChatMessage.RECALLED_TYPE);
            assertThat(last.getString("text")).isNull();
        }
        assertThat(summary(ConversationSummaries.id("bob", "d:alice:bob"))
                .getList(StoreSchema.Conversation.UNREAD_SEQS, Object.class)).isEmpty();

        // again: the state as it is, with the first removal's admin and reason
        MessageRecall.Removed again = (MessageRecall.Removed) recall.removeByAdmin("other", direct.id(), "again");
        assertThat(again.now()).isFalse();
        assertThat(again.by()).isEqualTo("root");
        assertThat(again.reason()).isEqualTo("spam");

        assertThat(recall.removeByAdmin("root", group.id(), "abuse")).isInstanceOf(MessageRecall.Removed.class);
        assertThat(summary(GROUP).get(StoreSchema.Conversation.LAST, Document.class).getString("text")).isNull();

        // a sender's own recall, then an admin: answered as the sender's, no reason
        clock.advance(-WINDOW.toMillis() * 100);
        ChatMessage own = store("d:alice:carol", 1, "carol", "alice", null);
        assertThat(recall.recall("carol", null, own.id())).isInstanceOf(MessageRecall.Recalled.class);
        MessageRecall.Removed recalled = (MessageRecall.Removed) recall.removeByAdmin("root", own.id(), "late");
        assertThat(recalled.now()).isFalse();
        assertThat(recalled.by()).isEqualTo("carol");
        assertThat(recalled.reason()).isNull();

        assertThat(recall.removeByAdmin("root", new ObjectId().toHexString(), "x")).isInstanceOf(MessageRecall.NotFound.class);
    }

    @Test
    void anAdminDoesNotRemoveAGroupsEventMessages() {
        ChatMessage event = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(GROUP), 5, "alice", "crew", NOW, "server",
                "evt-5", ChatMessage.EVENT_TYPE, TextNode.valueOf("created"));
        messages.insertOne(MessageDocuments.toDocument(event));
        assertThat(recall.removeByAdmin("root", event.id(), "x")).isInstanceOf(MessageRecall.NotRemovable.class);
        assertThat(messages.find(Filters.eq(StoreSchema.Message.ID, event.id())).first()
                .containsKey(StoreSchema.Message.RECALLED_AT)).isFalse();
    }
}
