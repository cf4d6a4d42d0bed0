package io.mqchat.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.mqchat.api.TestSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Moderation in the admin API over HTTP on an in-process MongoDB: removing messages (what is stored, the
 * previews, the events on the broker bus, the audit, repeats), a user's messages in pages, and hostile input.
 * Delivery to real devices is in chat-standalone's {@code ModerationEndToEndTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class AdminModerationApiTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String DB = "admin-moderation";
    private static final String ROOT = "mod-root";
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo(DB).withUsers(ROOT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.admins", () -> ROOT);
    }

    @LocalServerPort
    int port;

    @Autowired
    RedissonClient redis;

    static MongoDatabase db() {
        return MONGO.db();
    }

    private static long seq = 1;

    /** A stored message with its summaries, as the broker's store writer leaves them; ts an hour ago. */
    static ChatMessage stored(String conv, String from, String to, String body) {
        ChatMessage m = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq++, from, to,
                System.currentTimeMillis() - 3_600_000, "phone", "c-" + UUID.randomUUID(), "text", TextNode.valueOf(body));
        db().getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(m));
        new SummaryWriter(db().getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC()).apply(List.of(m));
        return m;
    }

    static String direct(String a, String b) {
        return a.compareTo(b) < 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
    }

    TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "desktop", method, path, body, user);
    }

    /** The bus messages sent while {@code action} runs (and shortly after). */
    /** Asserts that every bus message is a publish, and returns them as such. */
    static List<BusMessage.Publish> publishes(List<BusMessage> sent) {
        assertThat(sent).allSatisfy(b -> assertThat(b).isInstanceOf(BusMessage.Publish.class));
        return sent.stream().map(BusMessage.Publish.class::cast).toList();
    }

    List<BusMessage> busDuring(Runnable action, int expected) {
        List<BusMessage> seen = new CopyOnWriteArrayList<>();
        RTopic topic = redis.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE);
        int listener = topic.addListener(String.class, (channel, json) -> BusMessage.fromJson(json).ifPresent(seen::add));
        try {
            action.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= expected);
            return new ArrayList<>(seen);
        } finally {
            topic.removeListener(listener);
        }
    }

    @Test
    void anAdminRemovesADirectMessageForBothSidesWithReasonOnceAndTheAuditListsIt() throws Exception {
        String ann = MONGO.user("ann");
        String bob = MONGO.user("bob");
        String conv = direct(ann, bob);
        ChatMessage m = stored(conv, ann, bob, "offensive text");
        String path = "/api/v1/admin/messages/" + m.id() + "/remove";

        TestHttp.Response[] answer = new TestHttp.Response[1];
        List<BusMessage> sent = busDuring(() -> answer[0] = call("POST", path, "{\"reason\":\"  insults  \"}", ROOT), 2);
        assertThat(answer[0].status()).as(answer[0].raw().body()).isEqualTo(200);
        JsonNode removal = answer[0].json();
        assertThat(removal.get("changed").asBoolean()).isTrue();
        JsonNode message = removal.get("message");
        assertThat(message.get("id").asText()).isEqualTo(m.id());
        assertThat(message.get("seq").asLong()).isEqualTo(m.seq());
        assertThat(message.get("type").asText()).isEqualTo("recalled");
        assertThat(message.get("body").isNull()).isTrue();
        assertThat(message.get("removed").asBoolean()).isTrue();
        assertThat(message.get("recalledBy").asText()).isEqualTo(ROOT);
        assertThat(message.get("reason").asText()).isEqualTo("insults");

        // the event, with who and why, to both participants' inboxes (every device of each)
        assertThat(publishes(sent)).extracting(BusMessage.Publish::topic)
                .containsExactlyInAnyOrder("chat/u/" + ann, "chat/u/" + bob);
        for (BusMessage.Publish b : publishes(sent)) {
            JsonNode event = Json.MAPPER.readTree(b.payload());
            assertThat(event.get("type").asText()).isEqualTo("recall");
            assertThat(event.get("id").asText()).isEqualTo(m.id());
            assertThat(event.get("conv").asText()).isEqualTo(conv);
            assertThat(event.get("msgSeq").asLong()).isEqualTo(m.seq());
            assertThat(event.get("by").asText()).isEqualTo(ROOT);
            assertThat(event.get("reason").asText()).isEqualTo("insults");
            assertThat(event.get("admin").asBoolean()).isTrue();
        }

        // stored: no body, who and why; neither preview shows the text
        Document doc = db().getCollection(StoreSchema.MESSAGES).find(Filters.eq(StoreSchema.Message.ID, m.id())).first();
        assertThat(doc.containsKey(StoreSchema.Message.BODY)).isFalse();
        assertThat(doc.getString(StoreSchema.Message.RECALL_REASON)).isEqualTo("insults");
        for (String user : List.of(ann, bob)) {
            Document last = db().getCollection(StoreSchema.CONVERSATIONS).find(Filters.eq(StoreSchema.Conversation.ID,
                    ConversationSummaries.id(user, conv))).first().get(StoreSchema.Conversation.LAST, Document.class);
            assertThat(last.getString("type")).isEqualTo("recalled");
            assertThat(last.getString("text")).isNull();
        }

        // again: 200 with the state, changed false, no second event, no second audit entry
        TestHttp.Response again = call("POST", path, "{\"reason\":\"other\"}", ROOT);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("changed").asBoolean()).isFalse();
        assertThat(again.json().get("message").get("reason").asText()).isEqualTo("insults");
        JsonNode audit = call("GET", "/api/v1/admin/audit?target=" + m.id(), null, ROOT).json().get("entries");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("action").asText()).isEqualTo("message_removed");
        assertThat(audit.get(0).get("admin").asText()).isEqualTo(ROOT);
        assertThat(audit.get(0).get("reason").asText()).isEqualTo("insults");

        JsonNode one = call("GET", "/api/v1/admin/messages/" + m.id(), null, ROOT).json();
        assertThat(one.get("removed").asBoolean()).isTrue();
        assertThat(one.get("recalledBy").asText()).isEqualTo(ROOT);
    }

    @Test
    void aGroupMessageIsRemovedOnceOnTheGroupTopicAndGroupEventsAreNot() throws Exception {
        String carl = MONGO.user("carl");
        ChatMessage m = stored("g:crew-" + carl, carl, "crew-" + carl, "spam in a group");
        TestHttp.Response[] answer = new TestHttp.Response[1];
        List<BusMessage> sent = busDuring(() -> answer[0] = call("POST", "/api/v1/admin/messages/" + m.id() + "/remove",
                "{\"reason\":\"spam\"}", ROOT), 1);
        assertThat(answer[0].status()).as(answer[0].raw().body()).isEqualTo(200);
        assertThat(publishes(sent)).extracting(BusMessage.Publish::topic).containsExactly("chat/g/crew-" + carl);
        assertThat(Json.MAPPER.readTree(publishes(sent).get(0).payload()).get("reason").asText()).isEqualTo("spam");
        Document preview = db().getCollection(StoreSchema.CONVERSATIONS)
                .find(Filters.eq(StoreSchema.Conversation.ID, m.conv().toString())).first();
        assertThat(preview.get(StoreSchema.Conversation.LAST, Document.class).getString("text")).isNull();

        ChatMessage event = new ChatMessage(new ObjectId().toHexString(), m.conv(), seq++, carl, m.to(),
                System.currentTimeMillis(), "server", "evt-" + seq, ChatMessage.EVENT_TYPE, TextNode.valueOf("created"));
        db().getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(event));
        TestHttp.Response refused = call("POST", "/api/v1/admin/messages/" + event.id() + "/remove", "{\"reason\":\"x\"}", ROOT);
        assertProblem(refused, 409, "Group events");
        assertThat(refused.json().get("code").asText()).isEqualTo("not_removable");
    }

    @Test
    void aUsersMessagesAreListedNewestFirstAcrossConversationsInPagesRemovedOnesMarked() {
        String dora = MONGO.user("dora");
        String eve = MONGO.user("eve");
        List<ChatMessage> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(i % 2 == 0 ? stored(direct(dora, eve), dora, eve, "d" + i)
                    : stored("g:club-" + dora, dora, "club-" + dora, "g" + i));
        }
        stored(direct(dora, eve), eve, dora, "not dora's");
        assertThat(call("POST", "/api/v1/admin/messages/" + sent.get(1).id() + "/remove", "{\"reason\":\"r\"}", ROOT)
                .status()).isEqualTo(200);

        String base = "/api/v1/admin/users/" + dora + "/messages";
        JsonNode first = call("GET", base + "?limit=3", null, ROOT).json();
        assertThat(first.get("messages")).extracting(n -> n.get("id").asText())
                .containsExactly(sent.get(4).id(), sent.get(3).id(), sent.get(2).id());
        assertThat(first.get("messages").get(0).get("body").asText()).isEqualTo("d4");
        assertThat(first.get("messages").get(0).get("removed").asBoolean()).isFalse();
        assertThat(first.get("next").asText()).isEqualTo(sent.get(2).id());
        JsonNode second = call("GET", base + "?limit=3&before=" + first.get("next").asText(), null, ROOT).json();
        assertThat(second.get("messages")).extracting(n -> n.get("id").asText())
                .containsExactly(sent.get(1).id(), sent.get(0).id());
        assertThat(second.get("messages").get(0).get("removed").asBoolean()).isTrue();
        assertThat(second.get("messages").get(0).get("body").isNull()).isTrue();
        assertThat(second.get("messages").get(0).get("reason").asText()).isEqualTo("r");
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(call("GET", base, null, ROOT).json().get("messages")).hasSize(5);
        assertThat(call("GET", "/api/v1/admin/users/" + MONGO.user("quiet") + "/messages", null, ROOT).json().get("messages"))
                .isEmpty();

        // the listing reads the (from, _id) index
        assertThat(db().getCollection(StoreSchema.MESSAGES).listIndexes()).extracting(d -> d.getString("name"))
                .contains(StoreSchema.INDEX_FROM_RECENT);
    }

    @Test
    void hostileInputIsRefusedWithProblemsAndNothingIsRemoved() {
        String fay = MONGO.user("fay");
        String gus = MONGO.user("gus");
        ChatMessage m = stored(direct(fay, gus), fay, gus, "keep me");
        String path = "/api/v1/admin/messages/" + m.id() + "/remove";

        // non-admins and no token
        assertProblem(call("POST", path, "{\"reason\":\"x\"}", fay), 403, "Only admins");
        assertThat(call("POST", path, "{\"reason\":\"x\"}", null).status()).isEqualTo(401);
        assertProblem(call("GET", "/api/v1/admin/users/" + fay + "/messages", null, gus), 403, "Only admins");

        // bodies
        assertProblem(call("POST", path, null, ROOT), 400, "reason");
        assertProblem(call("POST", path, "{}", ROOT), 400, "reason");
        assertProblem(call("POST", path, "{\"reason\":\"   \"}", ROOT), 400, "reason");
        assertProblem(call("POST", path, "{\"reason\":\"" + "r".repeat(501) + "\"}", ROOT), 400, "500");
        assertProblem(call("POST", path, "{\"reason\":\"a\\u0007b\"}", ROOT), 400, "control");
        for (String body : new String[]{"{\"reason\":", "[1,2]", "{\"reason\":{\"$ne\":null}}", "{\"reason\":[\"a\",\"b\"]}",
                "\"spam\"", "{\"reason\":\"a\",\"reason\":\"b\"}"}) {
            TestHttp.Response r = call("POST", path, body, ROOT);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.contentType()).as(body).startsWith(PROBLEM_JSON);
        }
        TestHttp.Response huge = call("POST", path, "{\"reason\":\"" + "r".repeat(2_000_000) + "\"}", ROOT);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith(PROBLEM_JSON);

        // ids: unknown and impossible ones are 404, never a query
        for (String id : new String[]{new ObjectId().toHexString(), "x", m.id().toUpperCase(), "%7B%22%24gt%22%3A%22%22%7D",
                m.id() + "0", "%24ne", "a".repeat(300)}) {
            TestHttp.Response r = call("POST", "/api/v1/admin/messages/" + id + "/remove", "{\"reason\":\"x\"}", ROOT);
            assertThat(r.status()).as(id).isEqualTo(404);
            assertThat(r.contentType()).as(id).startsWith(PROBLEM_JSON);
            assertThat(call("GET", "/api/v1/admin/messages/" + id, null, ROOT).status()).as(id).isEqualTo(404);
        }

        // the list: limits, cursors, users
        String base = "/api/v1/admin/users/" + fay + "/messages";
        for (String limit : new String[]{"0", "-1", "201", "99999999999", "ten", "1e3", "%00"}) {
            TestHttp.Response r = call("GET", base + "?limit=" + limit, null, ROOT);
            assertThat(r.status()).as(limit).isEqualTo(400);
            assertThat(r.contentType()).startsWith(PROBLEM_JSON);
        }
        assertThat(call("GET", base + "?limit=200", null, ROOT).status()).isEqualTo(200);
        for (String before : new String[]{"%7B%22%24gt%22%3A%22%22%7D", "not-an-id", m.id().toUpperCase(), "%00", ""}) {
            assertProblem(call("GET", base + "?before=" + before, null, ROOT), 400, "before");
        }
        assertProblem(call("GET", "/api/v1/admin/users/nobody-here/messages", null, ROOT), 404, "No such user");
        assertProblem(call("GET", "/api/v1/admin/users/x/messages", null, ROOT), 404, "No such user");

        // none of that removed anything
        JsonNode still = call("GET", "/api/v1/admin/messages/" + m.id(), null, ROOT).json();
        assertThat(still.get("removed").asBoolean()).isFalse();
        assertThat(still.get("body").asText()).isEqualTo("keep me");
        assertThat(call("GET", "/api/v1/admin/audit?target=" + m.id(), null, ROOT).json().get("entries")).isEmpty();
    }
}
