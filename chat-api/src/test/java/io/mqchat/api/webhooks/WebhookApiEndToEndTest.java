package io.mqchat.api.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookOutbox;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import static io.mqchat.api.TestSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook admin API over HTTP on an in-process MongoDB, with the address guard on (the default) and delivery off
 * (chat-standalone's {@code WebhooksEndToEndTest} delivers): who may use it, registration rules and hostile input,
 * secrets never shown twice, the audit, test-fire, dead letters and redelivery.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class WebhookApiEndToEndTest {

    private static final String ROOT = "hook-admin";
    private static final String PATH = "/api/v1/admin/webhooks";
    /** A public address as a literal, so that no DNS is needed; nothing is sent (delivery is off). */
    private static final String PUBLIC_URL = "https://93.184.215.14/hooks/mqchat";
    private static final int MAX_ENDPOINTS = 5;
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("webhook-api-e2e").withUsers(ROOT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.admins", () -> ROOT);
        registry.add("mqchat.webhooks.dispatch", () -> "false");
        registry.add("mqchat.webhooks.max-endpoints", () -> String.valueOf(MAX_ENDPOINTS));
    }

    @LocalServerPort
    int port;

    TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "desktop", method, path, body, user);
    }

    private String create(String body) {
        TestHttp.Response r = call("POST", PATH, body, ROOT);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void onlyAdminsMayUseIt() {
        String plain = MONGO.user("plain");
        String id = create("{\"url\":\"" + PUBLIC_URL + "\",\"events\":[\"message.offline\"]}");
        for (String[] route : List.of(new String[]{"POST", PATH}, new String[]{"GET", PATH}, new String[]{"GET", PATH + "/" + id},
                new String[]{"PATCH", PATH + "/" + id}, new String[]{"DELETE", PATH + "/" + id},
                new String[]{"POST", PATH + "/" + id + "/test"}, new String[]{"GET", PATH + "/dead-letters"},
                new String[]{"POST", PATH + "/dead-letters/" + id + "/redeliver"})) {
            String body = route[0].equals("GET") || route[0].equals("DELETE") ? null : "{\"url\":\"" + PUBLIC_URL
                    + "\",\"events\":[\"message.offline\"],\"enabled\":false}";
            assertProblem(call(route[0], route[1], body, plain), 403, "Only admins");
            assertThat(call(route[0], route[1], body, null).status()).isEqualTo(401);
        }
        // nothing changed
        assertThat(call("GET", PATH + "/" + id, null, ROOT).json().get("enabled").asBoolean()).isTrue();
        assertThat(call("DELETE", PATH + "/" + id, null, ROOT).status()).isEqualTo(204);
    }

    @Test
    void aGeneratedSecretIsShownOnceAndAGivenOneNever() {
        TestHttp.Response created = call("POST", PATH, "{\"url\":\"" + PUBLIC_URL + "\",\"events\":[\"message.offline\","
                + "\"user.online\",\"message.offline\"]}", ROOT);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        String secret = created.json().get("secret").asText();
        assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);
        assertThat(created.json().get("events")).extracting(JsonNode::asText).containsExactly("message.offline", "user.online");
        assertThat(created.json().get("createdBy").asText()).isEqualTo(ROOT);

        TestHttp.Response one = call("GET", PATH + "/" + id, null, ROOT);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("secret").asText()).isEqualTo(WebhookService.REDACTED);
        assertThat(one.raw().body()).doesNotContain(secret);
        TestHttp.Response list = call("GET", PATH + "?limit=200", null, ROOT);
        assertThat(list.raw().body()).contains(id).doesNotContain(secret);

        String given = "given-secret-0123456789";
        TestHttp.Response withSecret = call("POST", PATH, "{\"url\":\"" + PUBLIC_URL + "\",\"events\":[\"group.changed\"],"
                + "\"secret\":\"" + given + "\"}", ROOT);
        assertThat(withSecret.status()).isEqualTo(201);
        assertThat(withSecret.raw().body()).doesNotContain(given);
        String id2 = withSecret.json().get("id").asText();
        assertThat(call("GET", PATH + "?limit=200", null, ROOT).raw().body()).doesNotContain(given).doesNotContain(secret);
        // stored for signing
        assertThat(MONGO.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS).find(Filters.eq("_id", id2)).first()
                .getString(StoreSchema.WebhookEndpoint.SECRET)).isEqualTo(given);

        // disable, enable, delete; each audited
        TestHttp.Response disabled = call("PATCH", PATH + "/" + id, "{\"enabled\":false}", ROOT);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        assertThat(disabled.raw().body()).doesNotContain(secret);
        assertProblem(call("POST", PATH + "/" + id + "/test", null, ROOT), 409, "disabled");
        assertThat(call("PATCH", PATH + "/" + id, "{\"enabled\":true}", ROOT).json().get("enabled").asBoolean()).isTrue();
        assertThat(call("DELETE", PATH + "/" + id, null, ROOT).status()).isEqualTo(204);
        assertProblem(call("GET", PATH + "/" + id, null, ROOT), 404, "No such webhook");
        assertProblem(call("DELETE", PATH + "/" + id, null, ROOT), 404, "No such webhook");
        assertThat(call("DELETE", PATH + "/" + id2, null, ROOT).status()).isEqualTo(204);

        JsonNode audit = call("GET", "/api/v1/admin/audit?target=" + id, null, ROOT).json().get("entries");
        assertThat(audit).extracting(e -> e.get("action").asText() + " by " + e.get("admin").asText()).containsExactly(
                "webhook_deleted by " + ROOT, "webhook_enabled by " + ROOT, "webhook_disabled by " + ROOT,
                "webhook_created by " + ROOT);
    }

    @Test
    void hostileInputIsAProblemNeverAServerError() {
        String events = "\"events\":[\"message.offline\"]";
        for (String url : List.of("ftp://93.184.215.14/x", "http://user:pw@93.184.215.14/x", "not a url", "",
                "https://93.184.215.14/" + "a".repeat(2100), "javascript:alert(1)", "http:///x")) {
            assertProblem(call("POST", PATH, "{\"url\":\"" + url + "\"," + events + "}", ROOT), 400, "url");
        }
        // private and loopback addresses, refused while MQCHAT_WEBHOOKS_ALLOWPRIVATE is off
        for (String url : List.of("http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://172.16.0.5/x",
                "http://192.168.1.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://[fd00::1]/x",
                "http://[::ffff:127.0.0.1]/x", "http://localhost/x", "http://0.0.0.0/x")) {
            assertProblem(call("POST", PATH, "{\"url\":\"" + url + "\"," + events + "}", ROOT), 400,
                    "MQCHAT_WEBHOOKS_ALLOWPRIVATE");
        }
        String url = "\"url\":\"" + PUBLIC_URL + "\"";
        assertProblem(call("POST", PATH, "{" + url + ",\"events\":[\"message.deleted\"]}", ROOT), 400, "not one of them");
        assertProblem(call("POST", PATH, "{" + url + ",\"events\":[]}", ROOT), 400, "at least one");
        assertProblem(call("POST", PATH, "{" + url + "}", ROOT), 400, "at least one");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add("\"message.stored\"");
        }
        assertProblem(call("POST", PATH, "{" + url + ",\"events\":[" + String.join(",", many) + "]}", ROOT), 400, "at most");
        assertThat(call("POST", PATH, "{" + url + ",\"events\":\"message.stored\"}", ROOT).status()).isEqualTo(400);
        assertThat(call("POST", PATH, "{" + url + ",\"events\":[{\"$ne\":null}]}", ROOT).status()).isEqualTo(400);
        assertThat(call("POST", PATH, "{" + url + "," + events + ",\"secret\":42}", ROOT).status()).isLessThan(500);
        assertProblem(call("POST", PATH, "{" + url + "," + events + ",\"secret\":\"short\"}", ROOT), 400, "secret");
        assertProblem(call("POST", PATH, "{" + url + "," + events + ",\"secret\":\"has a space in it, long\"}", ROOT),
                400, "secret");
        for (String malformed : new String[]{"{\"url\":", "[]", "null", "\"x\"", "{\"url\":\"" + PUBLIC_URL + "\"," + events + ",}"}) {
            TestHttp.Response r = call("POST", PATH, malformed, ROOT);
            assertThat(r.status()).as(malformed).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(call("POST", PATH, null, ROOT).status()).isEqualTo(400);

        // ids that cannot exist, and bad paging
        for (String id : List.of("nope", "0123456789abcdef0123456", "0123456789ABCDEF01234567", new ObjectId().toHexString(),
                "%24ne")) {
            assertProblem(call("GET", PATH + "/" + id, null, ROOT), 404, "No such webhook");
            assertProblem(call("PATCH", PATH + "/" + id, "{\"enabled\":false}", ROOT), 404, "No such webhook");
            assertProblem(call("POST", PATH + "/" + id + "/test", null, ROOT), 404, "No such webhook");
            assertProblem(call("POST", PATH + "/dead-letters/" + id + "/redeliver", null, ROOT), 404, "No such delivery");
        }
        String id = create("{" + url + "," + events + "}");
        assertProblem(call("PATCH", PATH + "/" + id, "{}", ROOT), 400, "enabled");
        assertThat(call("PATCH", PATH + "/" + id, "{\"enabled\":\"maybe\"}", ROOT).status()).isEqualTo(400);
        assertProblem(call("GET", PATH + "?limit=0", null, ROOT), 400, "limit");
        assertProblem(call("GET", PATH + "?limit=201", null, ROOT), 400, "limit");
        assertThat(call("GET", PATH + "?limit=abc", null, ROOT).status()).isEqualTo(400);
        assertProblem(call("GET", PATH + "?after=xyz", null, ROOT), 400, "after");
        assertProblem(call("GET", PATH + "/dead-letters?endpoint=xyz", null, ROOT), 400, "endpoint");
        assertProblem(call("GET", PATH + "/dead-letters?after=xyz", null, ROOT), 400, "after");
        assertThat(call("DELETE", PATH + "/" + id, null, ROOT).status()).isEqualTo(204);
    }

    @Test
    void atMostTheConfiguredNumberOfEndpoints() {
        MONGO.db().getCollection(StoreSchema.WEBHOOK_ENDPOINTS).deleteMany(new Document());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < MAX_ENDPOINTS; i++) {
            ids.add(create("{\"url\":\"" + PUBLIC_URL + "/" + i + "\",\"events\":[\"user.online\"]}"));
        }
        assertProblem(call("POST", PATH, "{\"url\":\"" + PUBLIC_URL + "\",\"events\":[\"user.online\"]}", ROOT), 409,
                "MQCHAT_WEBHOOKS_MAXENDPOINTS");
        // paged by id
        JsonNode first = call("GET", PATH + "?limit=3", null, ROOT).json();
        assertThat(first.get("webhooks")).extracting(w -> w.get("id").asText()).containsExactlyElementsOf(ids.subList(0, 3));
        JsonNode second = call("GET", PATH + "?limit=3&after=" + first.get("next").asText(), null, ROOT).json();
        assertThat(second.get("webhooks")).extracting(w -> w.get("id").asText()).containsExactlyElementsOf(ids.subList(3, 5));
        assertThat(second.get("next").isNull()).isTrue();
        ids.forEach(id -> assertThat(call("DELETE", PATH + "/" + id, null, ROOT).status()).isEqualTo(204));
    }

    @Test
    void aTestFireQueuesASignedBodyAndDeadLettersAreListedAndRedelivered() throws Exception {
        String id = create("{\"url\":\"" + PUBLIC_URL + "\",\"events\":[\"message.offline\"]}");
        TestHttp.Response fired = call("POST", PATH + "/" + id + "/test", null, ROOT);
        assertThat(fired.status()).isEqualTo(202);
        String deliveryId = fired.json().get("deliveryId").asText();
        Document queued = MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES)
                .find(Filters.eq("_id", new ObjectId(deliveryId))).first();
        assertThat(queued.getString(WebhookDelivery.STATE)).isEqualTo(WebhookDelivery.PENDING);
        WebhookBody body = WebhookBody.fromJson(queued.getString(WebhookDelivery.BODY).getBytes(StandardCharsets.UTF_8));
        assertThat(body.deliveryId()).isEqualTo(deliveryId);
        assertThat(body.event()).isEqualTo("webhook.test");
        assertThat(body.data(WebhookBody.Test.class)).isEqualTo(new WebhookBody.Test(id, ROOT));

        // two dead deliveries of this endpoint, one of another
        String other = new ObjectId().toHexString();
        List<String> dead = new ArrayList<>();
        for (String endpoint : List.of(id, other, id)) {
            Document d = WebhookOutbox.delivery(endpoint, "message.offline", 1L, new WebhookBody.Test(endpoint, ROOT), new Date())
                    .append(WebhookDelivery.STATE, WebhookDelivery.DEAD).append(WebhookDelivery.ATTEMPTS, 8)
                    .append(WebhookDelivery.LAST_ERROR, "HTTP 503").append(WebhookDelivery.LAST_ATTEMPT_AT, new Date());
            MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES).insertOne(d);
            dead.add(d.getObjectId("_id").toHexString());
        }
        JsonNode page = call("GET", PATH + "/dead-letters?endpoint=" + id + "&limit=1", null, ROOT).json();
        assertThat(page.get("deadLetters")).extracting(d -> d.get("deliveryId").asText()).containsExactly(dead.get(2));
        assertThat(page.get("deadLetters").get(0).get("lastError").asText()).isEqualTo("HTTP 503");
        assertThat(page.get("deadLetters").get(0).get("attempts").asInt()).isEqualTo(8);
        assertThat(page.get("deadLetters").get(0).has("body")).isFalse();
        JsonNode next = call("GET", PATH + "/dead-letters?endpoint=" + id + "&limit=1&after=" + page.get("next").asText(),
                null, ROOT).json();
        assertThat(next.get("deadLetters")).extracting(d -> d.get("deliveryId").asText()).containsExactly(dead.get(0));
        assertThat(call("GET", PATH + "/dead-letters?limit=200", null, ROOT).json().get("deadLetters"))
                .extracting(d -> d.get("deliveryId").asText()).contains(dead.get(1));

        TestHttp.Response redelivered = call("POST", PATH + "/dead-letters/" + dead.get(0) + "/redeliver", null, ROOT);
        assertThat(redelivered.status()).isEqualTo(202);
        Document again = MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES)
                .find(Filters.eq("_id", new ObjectId(dead.get(0)))).first();
        assertThat(again.getString(WebhookDelivery.STATE)).isEqualTo(WebhookDelivery.PENDING);
        assertThat(again.getInteger(WebhookDelivery.ATTEMPTS)).isZero();
        assertProblem(call("POST", PATH + "/dead-letters/" + dead.get(0) + "/redeliver", null, ROOT), 409, "pending");
        assertThat(call("GET", "/api/v1/admin/audit?target=" + dead.get(0), null, ROOT).json().get("entries"))
                .extracting(e -> e.get("action").asText()).containsExactly("webhook_redelivered");
        assertThat(call("GET", "/api/v1/admin/audit?target=" + id, null, ROOT).json().get("entries"))
                .extracting(e -> e.get("action").asText()).containsExactly("webhook_tested", "webhook_created");

        // deleting the endpoint takes its queue and dead letters with it
        assertThat(call("DELETE", PATH + "/" + id, null, ROOT).status()).isEqualTo(204);
        assertThat(MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES).countDocuments(Filters.eq("endpoint", id))).isZero();
        assertThat(MONGO.db().getCollection(StoreSchema.WEBHOOK_DELIVERIES).countDocuments(Filters.eq("endpoint", other))).isOne();
    }
}
