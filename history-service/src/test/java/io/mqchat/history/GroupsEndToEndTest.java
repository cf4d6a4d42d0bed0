package io.mqchat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.StringCodec;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Group conversations in history-service: the conversation list (direct and group merged and paged, unread
 * and mentions), members-only history from the member's fromSeq, read receipts (event to the reader's own
 * inbox only), sync from fromSeq and without groups left, recall of group messages (event on the group
 * topic). The whole app over HTTP on mongo-java-server and an embedded Redis; groups, members, messages and
 * summaries are written the way chat-api and the broker write them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class GroupsEndToEndTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress MONGO_ADDRESS = MONGO.bind();
    private static final TestRedis REDIS = new TestRedis();
    private static final long NOW = System.currentTimeMillis();
    private static final long T0 = NOW - 3_600_000;
    private static final String BOOK = "g:book-club";
    private static final String CHESS = "g:chess-club";
    private static final String TRIVIA = "g:trivia";
    private static final List<BusMessage.Publish> bus = new CopyOnWriteArrayList<>();
    private static MongoClient mongo;
    private static MongoDatabase db;
    private static SummaryWriter summaries;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", () -> "mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort() + "/groups-e2e");
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", REDIS::address);
    }

    /**
     * book-club: ann (owner), bea, dan from seq 1, cal added at seq 5 (reads from 5), rex removed after sending
     * seq 4; seqs 1 and 5 are server events. chess-club (ann, bea): recent messages, for recall. trivia (fay,
     * gus): for a removal during sync. Direct: ann with bea, cal, dan; d:ann:dan ties with book-club on lastTs.
     */
    @BeforeAll
    static void seed() {
        REDIS.redisson.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .addListener(String.class, (channel, json) -> BusMessage.fromJson(json).filter(BusMessage.Publish.class::isInstance)
                        .map(BusMessage.Publish.class::cast).ifPresent(bus::add));
        mongo = MongoClients.create("mongodb://127.0.0.1:" + MONGO_ADDRESS.getPort());
        db = mongo.getDatabase("groups-e2e");
        for (String user : List.of("ann", "bea", "cal", "dan", "eve", "rex", "fay", "gus")) {
            db.getCollection(StoreSchema.USERS).insertOne(new Document("_id", user)
                    .append(StoreSchema.User.PASSWORD_HASH, "$2a$10$x").append(StoreSchema.User.CREATED_AT, new Date()));
        }
        summaries = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC());
        group("book-club", "ann");
        member("book-club", "ann", "owner", 1);
        member("book-club", "bea", "member", 1);
        member("book-club", "dan", "member", 1);
        member("book-club", "cal", "member", 5);
        group("chess-club", "ann");
        member("chess-club", "ann", "owner", 1);
        member("chess-club", "bea", "member", 1);
        group("trivia", "fay");
        member("trivia", "fay", "owner", 1);
        member("trivia", "gus", "member", 1);

        store(List.of(
                event(BOOK, 1, "ann", T0 + 1),
                text(BOOK, 2, "ann", T0 + 2, null),
                text(BOOK, 3, "bea", T0 + 3, List.of("dan")),
                text(BOOK, 4, "rex", T0 + 4, null),
                event(BOOK, 5, "ann", T0 + 5),
                text(BOOK, 6, "ann", T0 + 6, List.of("cal")),
                text(BOOK, 7, "bea", T0 + 7, null),
                text(CHESS, 1, "ann", NOW - 2_000, null),
                text(CHESS, 2, "bea", NOW - 1_000, null),
                text(TRIVIA, 1, "fay", T0 + 1, null),
                text(TRIVIA, 2, "gus", T0 + 2, null),
                direct("d:ann:bea", 1, "bea", "ann", T0 + 10),
                direct("d:ann:cal", 1, "ann", "cal", T0 + 2),
                direct("d:ann:dan", 1, "dan", "ann", T0 + 7)));
    }

    @AfterAll
    static void stop() throws IOException {
        mongo.close();
        REDIS.close();
        MONGO.shutdownNow();
    }

    private static void group(String id, String owner) {
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document(StoreSchema.Group.ID, id)
                .append(StoreSchema.Group.NAME, id).append(StoreSchema.Group.OWNER, owner)
                .append(StoreSchema.Group.CREATED_AT, new Date()));
    }

    private static void member(String group, String user, String role, long fromSeq) {
        db.getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id(group, user)).append(StoreSchema.GroupMember.GROUP_ID, group)
                .append(StoreSchema.GroupMember.USER_ID, user).append(StoreSchema.GroupMember.ROLE, role)
                .append(StoreSchema.GroupMember.FROM_SEQ, fromSeq).append(StoreSchema.GroupMember.JOINED_AT, new Date()));
    }

    /** What the broker does: the messages, then their summaries. */
    private static void store(List<ChatMessage> batch) {
        batch.forEach(m -> db.getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(m)));
        summaries.apply(batch);
    }

    private static ChatMessage text(String conv, long seq, String from, long ts, List<String> mentions) {
        return new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, conv.substring(2), ts, "phone",
                conv + "-" + seq, "text", TextNode.valueOf(from + " says " + seq), null, mentions);
    }

    private static ChatMessage event(String conv, long seq, String actor, long ts) {
        return new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, actor, conv.substring(2), ts,
                ChatMessage.SERVER_DEVICE, "evt-" + conv + "-" + seq, ChatMessage.EVENT_TYPE,
                Json.MAPPER.createObjectNode().put("event", "members_added"));
    }

    private static ChatMessage direct(String conv, long seq, String from, String to, long ts) {
        return new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, to, ts, "phone", conv + "-" + seq,
                "text", TextNode.valueOf(from + " says " + seq));
    }

    @LocalServerPort
    int port;

    private TestHttp.Response get(String path, String user) {
        return TestHttp.get(port, path, REDIS.login(user, "phone"));
    }

    private TestHttp.Response post(String path, String body, String user) {
        return TestHttp.send(port, "POST", path, body == null ? null : "application/json", body,
                REDIS.login(user, "phone"));
    }

    private static void assertProblem(TestHttp.Response r, int status, String detail) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains(detail);
    }

    private static List<Long> seqs(TestHttp.Response r) {
        List<Long> seqs = new ArrayList<>();
        r.json().get("messages").forEach(m -> seqs.add(m.get("seq").asLong()));
        return seqs;
    }

    private static JsonNode payload(BusMessage.Publish m) {
        try {
            return Json.MAPPER.readTree(m.payload());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode entry(TestHttp.Response list, String conv) {
        for (JsonNode n : list.json().get("conversations")) {
            if (n.get("conv").asText().equals(conv)) {
                return n;
            }
        }
        throw new AssertionError(conv + " not listed in " + list.json());
    }

    @Test
    void theListMergesGroupsWithDirectConversationsWithUnreadAndMentions() {
        TestHttp.Response ann = get("/api/v1/conversations", "ann");
        assertThat(ann.status()).isEqualTo(200);
        // newest first; on equal lastTs (d:ann:dan and book-club at T0+7) by conversation id
        assertThat(ann.json().get("conversations")).extracting(n -> n.get("conv").asText())
                .containsExactly(CHESS, "d:ann:bea", "d:ann:dan", BOOK, "d:ann:cal");
        JsonNode book = entry(ann, BOOK);
        assertThat(book.get("type").asText()).isEqualTo("group");
        assertThat(book.get("groupId").asText()).isEqualTo("book-club");
        assertThat(book.get("peer").isNull()).isTrue();
        assertThat(book.get("lastSeq").asLong()).isEqualTo(7);
        assertThat(book.get("lastTs").asLong()).isEqualTo(T0 + 7);
        assertThat(book.get("last").get("from").asText()).isEqualTo("bea");
        assertThat(book.get("last").get("text").asText()).isEqualTo("bea says 7");
        assertThat(book.get("readSeq").asLong()).isEqualTo(6); // her own message at 6 marked up to it read
        assertThat(book.get("unread").asLong()).isEqualTo(1);
        assertThat(book.get("mentioned").asBoolean()).isFalse();
        JsonNode direct = entry(ann, "d:ann:bea");
        assertThat(direct.get("type").asText()).isEqualTo("direct");
        assertThat(direct.get("peer").asText()).isEqualTo("bea");
        assertThat(direct.get("groupId").isNull()).isTrue();
        assertThat(direct.get("mentioned").asBoolean()).isFalse();
        assertThat(direct.get("unread").asLong()).isEqualTo(1);

        // cal joined at 5: 6 and 7 unread (the event at 5 is not counted), and 6 mentions him
        JsonNode cal = entry(get("/api/v1/conversations", "cal"), BOOK);
        assertThat(cal.get("unread").asLong()).isEqualTo(2);
        assertThat(cal.get("mentioned").asBoolean()).isTrue();
        assertThat(cal.get("readSeq").asLong()).isEqualTo(4);
        // eve and rex (removed) are not in it
        assertThat(get("/api/v1/conversations", "eve").json().get("conversations")).isEmpty();
        assertThat(get("/api/v1/conversations", "rex").json().get("conversations")).isEmpty();
    }

    @Test
    void theListPagesAcrossDirectAndGroupConversations() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        boolean more = true;
        int pages = 0;
        while (more && pages < 10) {
            TestHttp.Response page = get("/api/v1/conversations?limit=2" + (cursor == null ? "" : "&before=" + cursor), "ann");
            assertThat(page.status()).isEqualTo(200);
            page.json().get("conversations").forEach(n -> seen.add(n.get("conv").asText()));
            more = page.json().get("hasMore").asBoolean();
            cursor = more ? page.json().get("cursor").asText() : null;
            pages++;
        }
        assertThat(seen).containsExactly(CHESS, "d:ann:bea", "d:ann:dan", BOOK, "d:ann:cal");
        assertThat(pages).isEqualTo(3);

        // one at a time across the tie between a direct conversation and a group
        seen.clear();
        cursor = null;
        more = true;
        while (more && seen.size() < 10) {
            TestHttp.Response page = get("/api/v1/conversations?limit=1" + (cursor == null ? "" : "&before=" + cursor), "ann");
            page.json().get("conversations").forEach(n -> seen.add(n.get("conv").asText()));
            more = page.json().get("hasMore").asBoolean();
            cursor = more ? page.json().get("cursor").asText() : null;
        }
        assertThat(seen).containsExactly(CHESS, "d:ann:bea", "d:ann:dan", BOOK, "d:ann:cal");
    }

    @Test
    void historyIsForCurrentMembersFromTheirFromSeq() {
        String path = "/api/v1/conversations/" + BOOK + "/messages";
        assertThat(seqs(get(path, "dan"))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        TestHttp.Response cal = get(path, "cal");
        assertThat(cal.status()).isEqualTo(200);
        assertThat(seqs(cal)).containsExactly(5L, 6L, 7L);
        assertThat(cal.json().get("hasMore").asBoolean()).isFalse();
        assertThat(cal.json().get("messages").get(0).get("type").asText()).isEqualTo("event");
        assertThat(cal.json().get("messages").get(1).get("mentions")).extracting(JsonNode::asText).containsExactly("cal");
        // paging by seq and by time stops at the floor, and says so
        TestHttp.Response back = get(path + "?beforeSeq=7&limit=2", "cal");
        assertThat(seqs(back)).containsExactly(5L, 6L);
        assertThat(back.json().get("hasMore").asBoolean()).isFalse();
        assertThat(get(path + "?beforeSeq=7&limit=1", "cal").json().get("hasMore").asBoolean()).isTrue();
        assertThat(seqs(get(path + "?beforeSeq=5", "cal"))).isEmpty();
        assertThat(seqs(get(path + "?afterSeq=1&limit=2", "cal"))).containsExactly(5L, 6L);
        assertThat(seqs(get(path + "?afterSeq=0&beforeSeq=6", "cal"))).containsExactly(5L);
        TestHttp.Response byTime = get(path + "?beforeTs=" + (T0 + 7), "cal");
        assertThat(seqs(byTime)).containsExactly(5L, 6L);
        assertThat(byTime.json().get("hasMore").asBoolean()).isFalse();
        assertThat(seqs(get(path + "?afterTs=" + T0, "cal"))).containsExactly(5L, 6L, 7L);
        assertThat(seqs(get(path + "?afterTs=" + T0 + "&beforeTs=" + (T0 + 6), "cal"))).containsExactly(5L);

        assertProblem(get(path, "eve"), 403, "not a member");
        assertProblem(get(path, "rex"), 403, "not a member"); // removed: wrote seq 4, reads nothing now
        assertProblem(get("/api/v1/conversations/g:no-such-group/messages", "ann"), 403, "not a member");
        assertProblem(get("/api/v1/conversations/g:a%2Bb/messages", "ann"), 400, "conv must be a conversation id");
        assertProblem(get("/api/v1/conversations/g:x/messages", "ann"), 400, "conv must be a conversation id");
    }

    @Test
    void readingAGroupMovesTheMembersPositionAndTellsOnlyTheirOwnDevices() {
        JsonNode before = entry(get("/api/v1/conversations", "dan"), BOOK);
        assertThat(before.get("unread").asLong()).isEqualTo(5); // 2, 3, 4, 6, 7: events not counted
        assertThat(before.get("mentioned").asBoolean()).isTrue(); // bea mentioned him at 3

        TestHttp.Response partly = post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":4}", "dan");
        assertThat(partly.status()).isEqualTo(200);
        assertThat(partly.json().get("readSeq").asLong()).isEqualTo(4);
        assertThat(partly.json().get("unread").asLong()).isEqualTo(2);
        assertThat(partly.json().get("mentioned").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> readEvents("dan").size() == 1);
        JsonNode event = payload(readEvents("dan").get(0));
        assertThat(event.get("type").asText()).isEqualTo("read");
        assertThat(event.get("conv").asText()).isEqualTo(BOOK);
        assertThat(event.get("by").asText()).isEqualTo("dan");
        assertThat(event.get("upTo").asLong()).isEqualTo(4);

        // beyond the last stored seq: capped at it
        TestHttp.Response all = post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":999}", "dan");
        assertThat(all.json().get("readSeq").asLong()).isEqualTo(7);
        assertThat(all.json().get("unread").asLong()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> readEvents("dan").size() == 2);
        assertThat(payload(readEvents("dan").get(1)).get("upTo").asLong()).isEqualTo(7);
        // only dan's inbox: no other member's inbox, not the group topic
        assertThat(readEvents("dan")).extracting(BusMessage.Publish::topic).containsOnly("chat/u/dan");
        assertThat(readEvents("dan")).allMatch(m -> m.clientId() == null, "to all of dan's devices");

        JsonNode after = entry(get("/api/v1/conversations", "dan"), BOOK);
        assertThat(after.get("unread").asLong()).isZero();
        assertThat(after.get("mentioned").asBoolean()).isFalse();
        assertThat(after.get("readSeq").asLong()).isEqualTo(7);
        // never back
        assertThat(post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":2}", "dan").json().get("readSeq").asLong())
                .isEqualTo(7);
        // the others' positions did not move
        assertThat(entry(get("/api/v1/conversations", "cal"), BOOK).get("unread").asLong()).isEqualTo(2);

        assertProblem(post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":3}", "eve"), 403, "not a member");
        assertProblem(post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":3}", "rex"), 403, "not a member");
        assertProblem(post("/api/v1/conversations/" + BOOK + "/read", "{\"seq\":-1}", "dan"), 400, "seq");
        assertThat(readEvents("eve")).isEmpty();
        assertThat(readEvents("rex")).isEmpty();
    }

    /** Read events of {@code reader} for book-club, whatever topic they went to. */
    private static List<BusMessage.Publish> readEvents(String reader) {
        return bus.stream().filter(m -> {
            JsonNode p = payload(m);
            return "read".equals(p.path("type").asText()) && BOOK.equals(p.path("conv").asText())
                    && reader.equals(p.path("by").asText());
        }).toList();
    }

    @Test
    void syncDeliversGroupsFromFromSeqAndNothingOfGroupsLeft() {
        TestHttp.Response cal = get("/api/v1/sync", "cal");
        assertThat(cal.status()).isEqualTo(200);
        List<String> got = new ArrayList<>();
        cal.json().get("messages").forEach(m -> got.add(m.get("conv").asText() + "/" + m.get("seq").asLong()));
        assertThat(got).containsExactlyInAnyOrder(BOOK + "/5", BOOK + "/6", BOOK + "/7", "d:ann:cal/1");
        assertThat(cal.json().get("complete").get(BOOK).asLong()).isEqualTo(7);
        // a position below the floor does not reach behind it
        TestHttp.Response explicit = post("/api/v1/sync", "{\"conversations\":{\"" + BOOK + "\":2}}", "cal");
        assertThat(explicit.json().get("messages")).extracting(m -> m.get("conv").asText() + "/" + m.get("seq").asLong())
                .contains(BOOK + "/5", BOOK + "/6", BOOK + "/7").doesNotContain(BOOK + "/3", BOOK + "/4");

        // rex was removed: even naming the group gets nothing of it
        TestHttp.Response rex = post("/api/v1/sync", "{\"conversations\":{\"" + BOOK + "\":1}}", "rex");
        assertThat(rex.status()).isEqualTo(200);
        assertThat(rex.json().get("messages")).isEmpty();
        assertThat(rex.json().get("complete").has(BOOK)).isFalse();

        // gus syncs trivia, is removed, a message follows: his next sync no longer includes the group
        TestHttp.Response first = get("/api/v1/sync", "gus");
        assertThat(first.json().get("messages")).extracting(m -> m.get("conv").asText() + "/" + m.get("seq").asLong())
                .containsExactly(TRIVIA + "/1", TRIVIA + "/2");
        String cursor = first.json().get("cursor").asText();
        db.getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id("trivia", "gus")));
        store(List.of(text(TRIVIA, 3, "fay", T0 + 3, List.of("all"))));
        TestHttp.Response next = get("/api/v1/sync?cursor=" + cursor, "gus");
        assertThat(next.json().get("messages")).isEmpty();
        assertThat(next.json().get("complete").has(TRIVIA)).isFalse();
        assertThat(get("/api/v1/sync", "gus").json().get("messages")).isEmpty();
        assertThat(get("/api/v1/conversations", "gus").json().get("conversations")).isEmpty();
        assertProblem(get("/api/v1/conversations/" + TRIVIA + "/messages", "gus"), 403, "not a member");
        // fay still gets it
        assertThat(get("/api/v1/sync", "fay").json().get("messages")).extracting(m -> m.get("seq").asLong())
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void theSenderRecallsAGroupMessageAndEveryMemberIsToldOnTheGroupTopic() {
        String cursor = get("/api/v1/sync", "ann").json().get("cursor").asText();
        ChatMessage target = message(CHESS, 2);
        String path = "/api/v1/conversations/" + CHESS + "/messages/" + target.id() + "/recall";

        member("chess-club", "hal", "member", 1);
        assertProblem(post(path, null, "hal"), 403, "Only the sender");           // a plain member, not the sender
        db.getCollection(StoreSchema.GROUP_MEMBERS).deleteOne(Filters.eq(StoreSchema.GroupMember.ID,
                StoreSchema.GroupMember.id("chess-club", "hal")));
        assertProblem(post(path, null, "eve"), 403, "not a member");              // not a member
        assertProblem(post("/api/v1/conversations/" + BOOK + "/messages/" + target.id() + "/recall", null, "bea"),
                404, "No such message");                                          // not in that conversation

        TestHttp.Response recalled = post(path, null, "bea");
        assertThat(recalled.status()).isEqualTo(200);
        assertThat(recalled.json().get("type").asText()).isEqualTo("recalled");
        assertThat(recalled.json().get("body").isNull()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> recallEvents(target.id()).size() == 1);
        BusMessage.Publish sent = recallEvents(target.id()).get(0);
        assertThat(sent.topic()).isEqualTo("chat/g/chess-club");
        JsonNode event = payload(sent);
        assertThat(event.get("conv").asText()).isEqualTo(CHESS);
        assertThat(event.get("msgSeq").asLong()).isEqualTo(2);
        assertThat(event.get("by").asText()).isEqualTo("bea");

        // the group's preview no longer shows the text
        JsonNode chess = entry(get("/api/v1/conversations", "ann"), CHESS);
        assertThat(chess.get("last").get("type").asText()).isEqualTo("recalled");
        assertThat(chess.get("last").get("text").isNull()).isTrue();
        // history shows it recalled; sync with an earlier cursor lists the recall
        assertThat(get("/api/v1/conversations/" + CHESS + "/messages", "ann").json().get("messages").get(1)
                .get("type").asText()).isEqualTo("recalled");
        TestHttp.Response sync = get("/api/v1/sync?cursor=" + cursor, "ann");
        assertThat(sync.json().get("recalls")).extracting(r -> r.get("id").asText()).contains(target.id());

        // again: the same answer, no second event
        assertThat(post(path, null, "bea").status()).isEqualTo(200);
        assertThat(recallEvents(target.id())).hasSize(1);

        // an old group message: the window has passed
        ChatMessage old = message(BOOK, 3);
        TestHttp.Response late = post("/api/v1/conversations/" + BOOK + "/messages/" + old.id() + "/recall", null, "bea");
        assertProblem(late, 409, "recalled within");
        assertThat(late.json().get("code").asText()).isEqualTo("recall_window_passed");
    }

    private static ChatMessage message(String conv, long seq) {
        Document d = db.getCollection(StoreSchema.MESSAGES).find(Filters.and(Filters.eq(StoreSchema.Message.CONV, conv),
                Filters.eq(StoreSchema.Message.SEQ, seq))).first();
        return MessageDocuments.fromDocument(d);
    }

    private static List<BusMessage.Publish> recallEvents(String id) {
        return bus.stream().filter(m -> {
            JsonNode p = payload(m);
            return "recall".equals(p.path("type").asText()) && id.equals(p.path("id").asText());
        }).toList();
    }
}
