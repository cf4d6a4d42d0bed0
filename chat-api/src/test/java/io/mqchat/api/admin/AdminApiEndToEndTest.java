package io.mqchat.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.mqchat.api.TestSupport.assertProblem;
import static io.mqchat.web.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API over HTTP on an in-process MongoDB: who may use it (every admin route, read from the app's
 * own mappings), roles, user lookup, hostile input and the audit. Live kicks and bans against the broker
 * are in chat-standalone's {@code AdminEndToEndTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class AdminApiEndToEndTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String DB = "admin-api-e2e";
    private static final String ROOT = "root-admin";
    /** A message id for the routes that take one (no such message: the 403 comes before the lookup). */
    private static final String MESSAGE = new org.bson.types.ObjectId().toHexString();
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo(DB).withUsers(ROOT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        // spaces and an empty entry (a trailing comma) are tolerated
        registry.add("mqchat.admins", () -> ROOT + ", other-root,");
    }

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Autowired
    DeviceLogins logins;

    static MongoDatabase db() {
        return MONGO.db();
    }

    TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "desktop", method, path, body, user);
    }

    /** Every admin route as "METHOD path" with the path variables filled in, from the app's own mappings. */
    List<String[]> adminRoutes(String target) {
        List<String[]> routes = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/v1/admin")) {
                    continue;
                }
                String path = pattern.replace("{userId}", target).replace("{messageId}", MESSAGE)
                        .replace("{id}", MESSAGE).replace("{deliveryId}", MESSAGE);
                assertThat(path).as("an admin route with a variable this test does not fill in").doesNotContain("{");
                for (RequestMethod m : info.getMethodsCondition().getMethods()) {
                    routes.add(new String[]{m.name(), path});
                }
            }
        });
        return routes;
    }

    @Test
    void everyAdminRouteIsForbiddenToUsersAndNeedsAToken() {
        String plain = MONGO.user("plain");
        String target = MONGO.user("target");
        List<String[]> routes = adminRoutes(target);
        assertThat(routes).extracting(r -> r[0] + " " + r[1]).contains("GET /api/v1/admin/users",
                "POST /api/v1/admin/users/" + target + "/ban", "GET /api/v1/admin/audit",
                "PUT /api/v1/admin/admins/" + target, "GET /api/v1/admin/online", "GET /api/v1/admin/stats",
                "POST /api/v1/admin/messages/" + MESSAGE + "/remove", "GET /api/v1/admin/users/" + target + "/messages");
        for (String[] route : routes) {
            String body = route[0].equals("POST") ? "{\"reason\":\"x\"}" : null;
            assertProblem(call(route[0], route[1], body, plain), 403, "Only admins");
            TestHttp.Response anonymous = call(route[0], route[1], body, null);
            assertThat(anonymous.status()).as(route[0] + " " + route[1]).isEqualTo(401);
            assertThat(anonymous.contentType()).startsWith(PROBLEM_JSON);
            // a token whose device has logged out counts as none
            String loggedOut = TestSupport.loggedInToken(ROOT, "web");
            logins.remove(ROOT, "web");
            assertThat(send(port, route[0], route[1], body == null ? null : "application/json", body, loggedOut).status())
                    .isEqualTo(401);
        }
        // nothing happened to the target
        assertThat(call("GET", "/api/v1/admin/users/" + target, null, ROOT).json().get("banned").isNull()).isTrue();
        assertThat(call("GET", "/api/v1/admin/audit?admin=" + plain, null, ROOT).json().get("entries")).isEmpty();
    }

    @Test
    void adminsGrantAndRevokeTheRoleButNotOfConfiguredAdmins() {
        String deputy = MONGO.user("deputy");
        String plain = MONGO.user("plain");
        assertProblem(call("GET", "/api/v1/admin/users", null, deputy), 403, "Only admins");

        TestHttp.Response granted = call("PUT", "/api/v1/admin/admins/" + deputy, null, ROOT);
        assertThat(granted.status()).isEqualTo(200);
        assertThat(granted.json().get("admin").asBoolean()).isTrue();
        assertThat(granted.json().get("adminConfigured").asBoolean()).isFalse();
        // checked from the store at every call: the same token works now
        assertThat(call("GET", "/api/v1/admin/users", null, deputy).status()).isEqualTo(200);
        // a granted admin may grant too, but not revoke a configured admin
        assertThat(call("PUT", "/api/v1/admin/admins/" + plain, null, deputy).status()).isEqualTo(200);
        assertProblem(call("DELETE", "/api/v1/admin/admins/" + ROOT, null, deputy), 409, "MQCHAT_ADMINS");
        assertThat(call("DELETE", "/api/v1/admin/admins/" + plain, null, deputy).status()).isEqualTo(204);
        assertProblem(call("GET", "/api/v1/admin/users", null, plain), 403, "Only admins");

        assertThat(call("DELETE", "/api/v1/admin/admins/" + deputy, null, ROOT).status()).isEqualTo(204);
        assertProblem(call("GET", "/api/v1/admin/users", null, deputy), 403, "Only admins");
        assertProblem(call("PUT", "/api/v1/admin/admins/nobody-here", null, ROOT), 404, "No such user");

        JsonNode audit = call("GET", "/api/v1/admin/audit?target=" + plain, null, ROOT).json().get("entries");
        assertThat(audit).extracting(e -> e.get("action").asText() + " by " + e.get("admin").asText())
                .containsExactly("admin_revoked by " + deputy, "admin_granted by " + deputy);
    }

    @Test
    void usersAreListedByPrefixInPagesAndShownOneByOne() {
        String p = "pg" + UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(MONGO.user(p + "." + i));
        }
        MONGO.user("zz" + p); // does not start with the prefix
        ids.sort(String::compareTo);

        TestHttp.Response first = call("GET", "/api/v1/admin/users?prefix=" + p + "&limit=3", null, ROOT);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("users")).extracting(u -> u.get("userId").asText()).containsExactlyElementsOf(ids.subList(0, 3));
        String next = first.json().get("next").asText();
        TestHttp.Response second = call("GET", "/api/v1/admin/users?prefix=" + p + "&limit=3&after=" + next, null, ROOT);
        assertThat(second.json().get("users")).extracting(u -> u.get("userId").asText()).containsExactlyElementsOf(ids.subList(3, 5));
        assertThat(second.json().get("next").isNull()).isTrue();
        JsonNode one = first.json().get("users").get(0);
        assertThat(one.get("createdAt").asText()).isNotEmpty();
        assertThat(one.get("admin").asBoolean()).isFalse();
        assertThat(one.has("passwordHash")).isFalse();

        // '.' means only itself: "pgxxxxxx." does not match "pgxxxxxxA..."
        assertThat(call("GET", "/api/v1/admin/users?prefix=" + p + ".3", null, ROOT).json().get("users"))
                .extracting(u -> u.get("userId").asText()).containsExactly(ids.get(3));

        TestHttp.Response detail = call("GET", "/api/v1/admin/users/" + ids.get(0), null, ROOT);
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.json().get("groupCount").asLong()).isZero();
        assertThat(detail.json().get("devices").isArray()).isTrue();
        assertThat(call("GET", "/api/v1/admin/users/" + ROOT, null, ROOT).json().get("devices"))
                .extracting(d -> d.get("deviceType").asText()).contains("desktop");
        assertThat(call("GET", "/api/v1/admin/users/" + ROOT, null, ROOT).json().get("adminConfigured").asBoolean()).isTrue();
    }

    @Autowired
    PresenceStore presence;

    @Test
    void onlineListsTheDevicesOfEveryNodeByUserIdPagedAndStatsCountTheStores() {
        String p = "zz-onl-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        presence.heartbeat("api-node-1", java.time.Duration.ofMinutes(5));
        presence.heartbeat("api-node-2", java.time.Duration.ofMinutes(5));
        presence.connected(p + "a", "phone", "api-node-1", 1_700_000_000_000L);
        presence.connected(p + "a", "desktop", "api-node-2", 1_700_000_001_000L);
        presence.connected(p + "b", "web", "api-node-2", 1_700_000_002_000L);
        presence.connected(p + "c", "phone", "api-node-1", 1_700_000_003_000L);

        TestHttp.Response first = call("GET", "/api/v1/admin/online?limit=2&after=" + p, null, ROOT);
        assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
        JsonNode users = first.json().get("users");
        assertThat(users).extracting(u -> u.get("userId").asText()).containsExactly(p + "a", p + "b");
        assertThat(users.get(0).get("devices")).extracting(d -> d.get("deviceType").asText() + "@" + d.get("node").asText()
                + "@" + d.get("since").asText()).containsExactly("desktop@api-node-2@2023-11-14T22:13:21Z",
                "phone@api-node-1@2023-11-14T22:13:20Z");
        assertThat(first.json().get("next").asText()).isEqualTo(p + "b");
        JsonNode second = call("GET", "/api/v1/admin/online?limit=2&after=" + p + "b", null, ROOT).json();
        assertThat(second.get("users").get(0).get("userId").asText()).isEqualTo(p + "c");
        JsonNode totals = second.get("totals");
        assertThat(totals.get("users").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(totals.get("devices").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(totals.get("nodes").get("api-node-1").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(totals.get("nodes").get("api-node-2").asLong()).isGreaterThanOrEqualTo(2);

        // gone devices and the devices of a dead node are not online
        presence.disconnected(p + "b", "web", "api-node-2", 1_700_000_009_000L);
        presence.heartbeat("api-node-1", java.time.Duration.ofMillis(1));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !presence.isNodeAlive("api-node-1"));
        JsonNode after = call("GET", "/api/v1/admin/online?limit=5&after=" + p, null, ROOT).json();
        assertThat(after.get("users")).extracting(u -> u.get("userId").asText()).startsWith(p + "a")
                .doesNotContain(p + "b", p + "c");
        assertThat(after.get("users").get(0).get("devices")).extracting(d -> d.get("deviceType").asText())
                .containsExactly("desktop");
        assertThat(after.get("totals").get("nodes").has("api-node-1")).isFalse();
        presence.disconnected(p + "a", "desktop", "api-node-2", 1_700_000_009_000L);

        String apiDocs = send(port, "GET", "/v3/api-docs", null, null, null).raw().body();
        assertThat(apiDocs).contains("/api/v1/admin/online", "/api/v1/admin/stats", "Users and devices online now");

        TestHttp.Response stats = call("GET", "/api/v1/admin/stats", null, ROOT);
        assertThat(stats.status()).as(stats.raw().body()).isEqualTo(200);
        JsonNode s = stats.json();
        assertThat(s.get("users").asLong()).isEqualTo(db().getCollection(StoreSchema.USERS).countDocuments());
        assertThat(s.get("groups").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("messages").get("total").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("health").get("mongo").get("status").asText()).isEqualTo("UP");
        assertThat(s.get("health").get("redis").get("status").asText()).isEqualTo("UP");
        assertThat(s.get("online").get("users").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void hostileInputIsRefusedWithProblems() {
        String target = MONGO.user("hostile");
        for (String prefix : new String[]{".*", "%5Ea", "a%2B", "%24ne", "a%7Cb", "(x)", "a%5Cb", "x".repeat(33), "%00"}) {
            TestHttp.Response r = call("GET", "/api/v1/admin/users?prefix=" + prefix, null, ROOT);
            assertThat(r.status()).as(prefix).isEqualTo(400);
            assertThat(r.contentType()).startsWith(PROBLEM_JSON);
        }
        // ".*" is refused above; a prefix of plain dots is valid and matches literally (nothing here)
        assertThat(call("GET", "/api/v1/admin/users?prefix=...", null, ROOT).json().get("users")).isEmpty();
        assertProblem(call("GET", "/api/v1/admin/users?after=%7B%22%24gt%22%3A%22%22%7D", null, ROOT), 400, "after");
        assertProblem(call("GET", "/api/v1/admin/users?limit=0", null, ROOT), 400, "limit");
        assertProblem(call("GET", "/api/v1/admin/users?limit=100000", null, ROOT), 400, "limit");
        assertThat(call("GET", "/api/v1/admin/users?limit=ten", null, ROOT).status()).isEqualTo(400);
        assertProblem(call("GET", "/api/v1/admin/audit?after=not-an-id", null, ROOT), 400, "after");
        for (String limit : new String[]{"0", "-1", "201", "100000", "99999999999", "ten", "1e3", "%00"}) {
            TestHttp.Response r = call("GET", "/api/v1/admin/online?limit=" + limit, null, ROOT);
            assertThat(r.status()).as(limit).isEqualTo(400);
            assertThat(r.contentType()).startsWith(PROBLEM_JSON);
        }
        for (String after : new String[]{"%7B%22%24gt%22%3A%22%22%7D", "a%2Fb", "ab", "x".repeat(33), "%00", "a%2Bb", "-"}) {
            assertProblem(call("GET", "/api/v1/admin/online?after=" + after, null, ROOT), 400, "after");
        }
        assertProblem(call("GET", "/api/v1/admin/audit?admin=a%2Fb", null, ROOT), 400, "admin");

        // unknown and impossible users
        assertProblem(call("GET", "/api/v1/admin/users/nobody-at-all", null, ROOT), 404, "No such user");
        assertProblem(call("GET", "/api/v1/admin/users/x", null, ROOT), 404, "No such user");
        assertProblem(call("POST", "/api/v1/admin/users/nobody-at-all/ban", "{\"reason\":\"r\"}", ROOT), 404, "No such user");
        assertProblem(call("POST", "/api/v1/admin/users/nobody-at-all/kick", "{}", ROOT), 404, "No such user");

        String ban = "/api/v1/admin/users/" + target + "/ban";
        assertThat(call("POST", ban, "{\"reason\":", ROOT).status()).isEqualTo(400);
        assertThat(call("POST", ban, "[1,2]", ROOT).status()).isEqualTo(400);
        assertThat(call("POST", ban, "{\"reason\":\"a\",\"reason\":\"b\"}", ROOT).status()).isEqualTo(400);
        assertThat(call("POST", ban, "{\"reason\":{\"$ne\":null}}", ROOT).status()).isEqualTo(400);
        assertProblem(call("POST", ban, "{\"until\":\"2001-01-01T00:00:00Z\"}", ROOT), 400, "future");
        assertProblem(call("POST", ban, "{\"until\":\"tomorrow\"}", ROOT), 400, "ISO-8601");
        assertProblem(call("POST", ban, "{\"reason\":\"" + "r".repeat(501) + "\"}", ROOT), 400, "reason");
        assertProblem(call("POST", ban, "{\"reason\":\"a\\u0000b\"}", ROOT), 400, "reason");
        TestHttp.Response huge = call("POST", ban, "{\"reason\":\"" + "r".repeat(2_000_000) + "\"}", ROOT);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith(PROBLEM_JSON);
        assertProblem(call("POST", "/api/v1/admin/users/" + target + "/kick", "{\"deviceType\":\"toaster\"}", ROOT),
                400, "deviceType");
        assertProblem(call("POST", "/api/v1/admin/users/" + ROOT + "/ban", "{}", ROOT), 409, "yourself");
        assertProblem(call("POST", "/api/v1/admin/users/other-root/ban", "{}", ROOT), 409, "MQCHAT_ADMINS");
        // none of that banned anyone
        assertThat(call("GET", "/api/v1/admin/users/" + target, null, ROOT).json().get("banned").isNull()).isTrue();

        // forged fields are ignored: the audit names the caller, not the "admin" in the body
        TestHttp.Response banned = call("POST", ban, "{\"reason\":\"spam\",\"admin\":\"mallory\",\"by\":\"mallory\","
                + "\"target\":\"someone-else\"}", ROOT);
        assertThat(banned.status()).as(banned.raw().body()).isEqualTo(200);
        assertThat(banned.json().get("banned").get("by").asText()).isEqualTo(ROOT);
        JsonNode entry = call("GET", "/api/v1/admin/audit?target=" + target, null, ROOT).json().get("entries").get(0);
        assertThat(entry.get("admin").asText()).isEqualTo(ROOT);
        assertThat(entry.get("target").asText()).isEqualTo(target);
        assertThat(call("GET", "/api/v1/admin/audit?target=someone-else", null, ROOT).json().get("entries")).isEmpty();
    }

    @Test
    void theAuditListsEveryActionNewestFirstInPages() {
        String target = MONGO.user("audited");
        assertThat(call("POST", "/api/v1/admin/users/" + target + "/ban",
                "{\"reason\":\"spam\",\"until\":\"2099-01-01T00:00:00Z\"}", ROOT).status()).isEqualTo(200);
        JsonNode shown = call("GET", "/api/v1/admin/users/" + target, null, ROOT).json().get("banned");
        assertThat(shown.get("until").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(shown.get("reason").asText()).isEqualTo("spam");
        assertThat(call("DELETE", "/api/v1/admin/users/" + target + "/ban", null, ROOT).status()).isEqualTo(204);
        assertThat(call("POST", "/api/v1/admin/users/" + target + "/kick", "{\"deviceType\":\"phone\",\"reason\":\"check\"}",
                ROOT).status()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/admin/users/" + target + "/kick", null, ROOT).status()).isEqualTo(200);
        assertThat(call("PUT", "/api/v1/admin/admins/" + target, null, ROOT).status()).isEqualTo(200);

        TestHttp.Response first = call("GET", "/api/v1/admin/audit?target=" + target + "&admin=" + ROOT + "&limit=3", null, ROOT);
        JsonNode entries = first.json().get("entries");
        assertThat(entries).extracting(e -> e.get("action").asText()).containsExactly("admin_granted", "kicked", "kicked");
        assertThat(entries.get(2).get("deviceType").asText()).isEqualTo("phone");
        assertThat(entries.get(2).get("reason").asText()).isEqualTo("check");
        assertThat(entries.get(0).get("at").asText()).isNotEmpty();
        JsonNode rest = call("GET", "/api/v1/admin/audit?target=" + target + "&after=" + first.json().get("next").asText(),
                null, ROOT).json();
        assertThat(rest.get("entries")).extracting(e -> e.get("action").asText()).containsExactly("unbanned", "banned");
        assertThat(rest.get("entries").get(1).get("until").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(rest.get("entries").get(1).get("reason").asText()).isEqualTo("spam");
        assertThat(rest.get("next").isNull()).isTrue();
    }
}
