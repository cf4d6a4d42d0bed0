package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared set-up of the group feature tests: the app on an in-process MongoDB (one context for all
 * subclasses), a small maximum group size, and a listener on the Redis bus that records every
 * {@link BusMessage} the app sends to the broker nodes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
abstract class GroupsApiTestBase {

    static final int MAX_SIZE = 5;
    static final String DB = "groups-api-e2e";

    private static final TestMongo MONGO = new TestMongo(DB);
    /** Every bus message seen since the first test started. */
    private static final Queue<BusMessage> BUS = new ConcurrentLinkedQueue<>();
    private static RedissonClient busListener;

    static {
        // shared by the subclasses (one cached app context): stopped with the JVM, not after one class
        Runtime.getRuntime().addShutdownHook(new Thread(MONGO::close));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.groups.max-size", () -> String.valueOf(MAX_SIZE));
    }

    @BeforeAll
    static synchronized void listenToTheBus() {
        if (busListener == null) {
            Config config = new Config();
            config.useSingleServer().setAddress(TestSupport.redisAddress());
            busListener = Redisson.create(config);
            Runtime.getRuntime().addShutdownHook(new Thread(busListener::shutdown));
            // addListener returns once subscribed, so nothing sent afterwards is missed
            busListener.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                    .addListener(String.class, (channel, text) -> BusMessage.fromJson(text).ifPresent(BUS::add));
        }
    }

    @LocalServerPort
    int port;

    static MongoDatabase db() {
        return MONGO.db();
    }

    /** Registered users (inserted directly: the password plays no part here). */
    static List<String> users(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(MONGO.user("u"));
        }
        return ids;
    }

    TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "phone", method, path, body, user);
    }

    static String json(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }

    /** Creates a group; {@code settings} is extra JSON members such as {@code "history":"all"} (or empty). */
    String create(String owner, List<String> members, String settings) {
        TestHttp.Response r = call("POST", "/api/v1/groups", "{\"name\":\"Team\",\"members\":" + json(members)
                + (settings.isEmpty() ? "" : "," + settings) + "}", owner);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json().get("groupId").asText();
    }

    static void assertProblem(TestHttp.Response r, int status, String detailPart) {
        TestSupport.assertProblem(r, status, detailPart);
    }

    static void assertStatus(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
    }

    /** The stored event messages of the group's conversation, by seq. */
    static List<Document> events(String groupId) {
        List<Document> events = new ArrayList<>();
        db().getCollection(StoreSchema.MESSAGES).find(Filters.and(Filters.eq(StoreSchema.Message.CONV, "g:" + groupId),
                        Filters.eq(StoreSchema.Message.TYPE, ChatMessage.EVENT_TYPE)))
                .sort(Sorts.ascending(StoreSchema.Message.SEQ)).into(events);
        return events;
    }

    static List<String> eventNames(String groupId) {
        return events(groupId).stream().map(GroupsApiTestBase::eventName).toList();
    }

    static String eventName(Document event) {
        return body(event).getString("event");
    }

    /** An event's body (stored as its JSON text) as a document, to read its fields. */
    static Document body(Document event) {
        return Document.parse(event.getString(StoreSchema.Message.BODY_JSON));
    }

    static long seq(Document event) {
        return ((Number) event.get(StoreSchema.Message.SEQ)).longValue();
    }

    /** The newest stored event, asserting its name. */
    static Document lastEvent(String groupId, String name) {
        List<Document> events = events(groupId);
        assertThat(events).isNotEmpty();
        Document last = events.get(events.size() - 1);
        assertThat(eventName(last)).isEqualTo(name);
        assertThat(last.getString(StoreSchema.Message.DEV)).isEqualTo(ChatMessage.SERVER_DEVICE);
        return last;
    }

    static void assertSeqsStrictlyIncrease(String groupId) {
        List<Long> seqs = events(groupId).stream().map(GroupsApiTestBase::seq).toList();
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("seqs %s", seqs).isGreaterThan(seqs.get(i - 1));
        }
    }

    static Document member(String groupId, String userId) {
        return db().getCollection(StoreSchema.GROUP_MEMBERS)
                .find(Filters.eq(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, userId))).first();
    }

    static long fromSeq(String groupId, String userId) {
        Document m = member(groupId, userId);
        assertThat(m).as("membership of %s", userId).isNotNull();
        return ((Number) m.get(StoreSchema.GroupMember.FROM_SEQ)).longValue();
    }

    /** The bus message of the group that carried the event stored at {@code seq} (waits for it). */
    static BusMessage.GroupChange awaitBus(String groupId, long seq) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> busFor(groupId).stream()
                .filter(m -> m.payload() != null && payload(m.payload()).path("seq").asLong() == seq).findFirst()
                .orElse(null), m -> m != null);
    }

    /** Asserts the bus message for the stored event: group kind, subscriptions, and the event as payload. */
    static BusMessage.GroupChange assertAnnounced(String groupId, Document event, List<String> subscribe,
                                                  List<String> unsubscribe) {
        BusMessage.GroupChange m = awaitBus(groupId, seq(event));
        assertThat(m.toJson()).contains("\"kind\":\"group\"");
        assertThat(m.subscribe()).containsExactlyInAnyOrderElementsOf(subscribe);
        assertThat(m.unsubscribe()).containsExactlyInAnyOrderElementsOf(unsubscribe);
        JsonNode payload = payload(m.payload());
        assertThat(payload.path("id").asText()).isEqualTo(event.getString(StoreSchema.Message.ID));
        assertThat(payload.path("conv").asText()).isEqualTo("g:" + groupId);
        assertThat(payload.path("type").asText()).isEqualTo(ChatMessage.EVENT_TYPE);
        assertThat(payload.path("from").asText()).isEqualTo(event.getString(StoreSchema.Message.FROM));
        assertThat(payload.path("body").path("event").asText()).isEqualTo(eventName(event));
        return m;
    }

    /** The notices (inbox publishes) of one type sent to {@code user}'s devices (waits for {@code count}). */
    static List<JsonNode> awaitNotices(String user, String type, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> notices(user, type).size() >= count);
        return notices(user, type);
    }

    static List<JsonNode> notices(String user, String type) {
        return BUS.stream().filter(m -> m instanceof BusMessage.Publish p && ("chat/u/" + user).equals(p.topic()))
                .map(m -> payload(((BusMessage.Publish) m).payload()))
                .filter(p -> type.equals(p.path("type").asText())).toList();
    }

    static List<BusMessage.GroupChange> busFor(String groupId) {
        return BUS.stream().filter(m -> m instanceof BusMessage.GroupChange g && groupId.equals(g.groupId()))
                .map(m -> (BusMessage.GroupChange) m).toList();
    }

    static JsonNode payload(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
