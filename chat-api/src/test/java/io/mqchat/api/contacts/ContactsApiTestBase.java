package io.mqchat.api.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.bus.BusMessage;
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
 * Shared set-up of the contact and block tests: the app on an in-process MongoDB (one context for all
 * subclasses) with small limits, and a listener on the Redis bus that records every inbox publish.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
abstract class ContactsApiTestBase {

    static final int MAX_PENDING = 3;
    static final int MAX_BLOCKS = 4;
    static final int KEPT_CHANGES = 10;
    /** New contact requests one user may send at once. */
    static final int REQUEST_BURST = 5;

    private static final TestMongo MONGO = new TestMongo("contacts-api-e2e");
    private static final Queue<BusMessage.Publish> INBOXES = new ConcurrentLinkedQueue<>();
    private static RedissonClient busListener;

    static {
        // shared by the subclasses (one cached app context): stopped with the JVM, not after one class
        Runtime.getRuntime().addShutdownHook(new Thread(MONGO::close));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.contacts.max-pending-requests", () -> String.valueOf(MAX_PENDING));
        registry.add("mqchat.contacts.max-blocks", () -> String.valueOf(MAX_BLOCKS));
        registry.add("mqchat.contacts.kept-changes", () -> String.valueOf(KEPT_CHANGES));
        registry.add("mqchat.ratelimit.contact-requests", () -> REQUEST_BURST + "/d,burst=" + REQUEST_BURST);
    }

    @BeforeAll
    static synchronized void listenToTheBus() {
        if (busListener == null) {
            Config config = new Config();
            config.useSingleServer().setAddress(TestSupport.redisAddress());
            busListener = Redisson.create(config);
            Runtime.getRuntime().addShutdownHook(new Thread(busListener::shutdown));
            // addListener returns once subscribed, so nothing sent afterwards is missed
            busListener.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE).addListener(String.class,
                    (channel, text) -> BusMessage.fromJson(text).ifPresent(m -> {
                        if (m instanceof BusMessage.Publish p) {
                            INBOXES.add(p);
                        }
                    }));
        }
    }

    @LocalServerPort
    int port;

    static MongoDatabase db() {
        return MONGO.db();
    }

    static String user() {
        return MONGO.user("c");
    }

    TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "phone", method, path, body, user);
    }

    static void assertStatus(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
    }

    static void assertProblem(TestHttp.Response r, int status, String detailPart) {
        TestSupport.assertProblem(r, status, detailPart);
    }

    TestHttp.Response request(String from, String to, String message) {
        return call("POST", "/api/v1/contacts/requests", message == null ? "{\"userId\":\"" + to + "\"}"
                : "{\"userId\":\"" + to + "\",\"message\":\"" + message + "\"}", from);
    }

    /** Makes the two contacts (a request and its acceptance). */
    void befriend(String a, String b) {
        assertStatus(request(a, b, null), 201);
        assertStatus(call("POST", "/api/v1/contacts/requests/" + a + "/accept", null, b), 201);
    }

    long version(String user) {
        TestHttp.Response r = call("GET", "/api/v1/contacts", null, user);
        assertStatus(r, 200);
        return r.json().get("version").asLong();
    }

    /** The changes after {@code since} as "change:peer" in order. */
    List<String> changesSince(String user, long since) {
        TestHttp.Response r = call("GET", "/api/v1/contacts?sinceVersion=" + since, null, user);
        assertStatus(r, 200);
        List<String> result = new ArrayList<>();
        r.json().get("changes").forEach(c -> result.add(c.get("change").asText() + ":" + c.get("peer").asText()));
        return result;
    }

    static boolean contactStored(String user, String contact) {
        return db().getCollection(StoreSchema.CONTACTS)
                .find(Filters.eq(StoreSchema.ContactEntry.ID, user + "|" + contact)).first() != null;
    }

    static boolean requestStored(String from, String to) {
        return db().getCollection(StoreSchema.CONTACT_REQUESTS)
                .find(Filters.eq(StoreSchema.ContactRequest.ID, from + "|" + to)).first() != null;
    }

    /** The stored changes of {@code user}, by version. */
    static List<Document> storedChanges(String user) {
        List<Document> result = new ArrayList<>();
        db().getCollection(StoreSchema.CONTACT_CHANGES).find(Filters.eq(StoreSchema.ContactChange.USER, user))
                .sort(Sorts.ascending(StoreSchema.ContactChange.VERSION)).into(result);
        return result;
    }

    /** The {@code contact} events published to {@code user}'s inbox (waits for {@code count}). */
    static List<JsonNode> awaitEvents(String user, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events(user).size() >= count);
        return events(user);
    }

    static List<JsonNode> events(String user) {
        return INBOXES.stream().filter(p -> ("chat/u/" + user).equals(p.topic())).map(p -> payload(p.payload()))
                .filter(p -> "contact".equals(p.path("type").asText())).toList();
    }

    static JsonNode payload(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
