package io.mqchat.api.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.DeviceTypes;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceSecrets;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.mqchat.api.TestSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Service accounts over HTTP on an in-process MongoDB: admins create, change, rotate, disable and enable them;
 * the client-credentials grant issues tokens that work until the secret is rotated or the account disabled; a
 * service account never logs in with a password. Hostile input gets problem details. The broker side (MQTT
 * connections of several instances, scopes) is in broker-extension and chat-standalone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class ServiceAccountsApiTest {

    private static final String DB = "service-accounts-api";
    private static final String ROOT = "svc-root";
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo(DB).withUsers(ROOT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.admins", () -> ROOT);
    }

    @LocalServerPort
    int port;

    /** An id nobody has (MONGO.user would register a person under it). */
    private static String newId(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    private TestHttp.Response admin(String method, String path, String body) {
        return TestSupport.callAs(port, "web", method, path, body, ROOT);
    }

    private TestHttp.Response token(String id, String secret) {
        return TestHttp.postJson(port, "/api/v1/auth/token", "{\"grant_type\":\"client_credentials\",\"client_id\":\""
                + id + "\",\"client_secret\":\"" + secret + "\"}");
    }

    private JsonNode create(String id, String scopes) {
        TestHttp.Response r = admin("POST", "/api/v1/admin/service-accounts", "{\"id\":\"" + id
                + "\",\"name\":\"Game server\",\"scopes\":" + scopes + "}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void aServiceAccountGetsTokensWithItsSecretAndNeverWithAPassword() {
        String id = newId("gsrv");
        JsonNode created = create(id, "{\"direct\":\"any\",\"broadcast\":true}");
        String secret = created.get("clientSecret").asText();
        assertThat(secret).startsWith(ServiceSecrets.PREFIX).hasSizeGreaterThan(40);
        assertThat(created.get("account").get("scopes").get("direct").asText()).isEqualTo("any");
        assertThat(created.get("account").get("scopes").get("groups").asText()).isEqualTo("member");
        assertThat(created.get("account").get("rateLimit").asText()).isEqualTo("500/s,burst=2000");
        assertThat(created.get("account").get("clientIds").asText()).isEqualTo(id + ":{instance}");

        // stored hashed: the secret itself is nowhere in the document
        Document doc = MONGO.db().getCollection(StoreSchema.USERS).find(new Document("_id", id)).first();
        assertThat(doc.toJson()).doesNotContain(secret).contains(ServiceSecrets.hash(secret));
        assertThat(doc.getString(StoreSchema.User.KIND)).isEqualTo("service");
        // and never shown again
        TestHttp.Response shown = admin("GET", "/api/v1/admin/service-accounts/" + id, null);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.raw().body()).doesNotContain(secret).doesNotContain("secretHash").doesNotContain("credential");
        assertThat(admin("GET", "/api/v1/admin/service-accounts", null).raw().body()).contains("\"" + id + "\"")
                .doesNotContain(secret);

        TestHttp.Response issued = token(id, secret);
        assertThat(issued.status()).as(issued.raw().body()).isEqualTo(200);
        String jwt = issued.json().get("token").asText();
        AccessTokens.AccessToken claims = new AccessTokens(TestSupport.SECRET).verify(jwt).orElseThrow();
        assertThat(claims.userId()).isEqualTo(id);
        assertThat(claims.deviceType()).isEqualTo(DeviceTypes.SERVICE);
        assertThat(issued.json().get("expiresAt").asText()).isEqualTo(claims.expiresAt().toString());
        // the token works on REST (as the bearer of the service)
        assertThat(TestHttp.get(port, "/api/v1/devices", jwt).status()).isEqualTo(200);
        // two tokens at once (two instances) are both valid
        String second = token(id, secret).json().get("token").asText();
        assertThat(TestHttp.get(port, "/api/v1/devices", jwt).status()).isEqualTo(200);
        assertThat(TestHttp.get(port, "/api/v1/devices", second).status()).isEqualTo(200);

        // a password login of a service account fails like a wrong password
        assertProblem(TestHttp.postJson(port, "/api/v1/auth/login", "{\"userId\":\"" + id + "\",\"password\":\""
                + secret + "\",\"deviceType\":\"bot\"}"), 401, "wrong password");
        // and nobody can register its id
        assertProblem(TestHttp.postJson(port, "/api/v1/auth/register", "{\"userId\":\"" + id
                + "\",\"password\":\"a-long-password-42\"}"), 409, "taken");
    }

    @Test
    void wrongSecretsAndGrantsAreRefusedAlike() {
        String id = newId("gsrv");
        String secret = create(id, "{}").get("clientSecret").asText();
        assertProblem(token(id, secret + "x"), 401, "Unknown client_id, wrong client_secret");
        assertProblem(token("nobody-here", secret), 401, "Unknown client_id, wrong client_secret");
        assertProblem(token(ROOT, "anything"), 401, "Unknown client_id, wrong client_secret"); // a person's id
        assertProblem(token("../$where", secret), 401, "Unknown client_id");
        assertProblem(TestHttp.postJson(port, "/api/v1/auth/token", "{\"grant_type\":\"password\",\"client_id\":\""
                + id + "\",\"client_secret\":\"" + secret + "\"}"), 400, "client_credentials");
        assertProblem(TestHttp.postJson(port, "/api/v1/auth/token", "{\"client_id\":\"" + id + "\"}"), 400,
                "grant_type");
        assertProblem(TestHttp.postJson(port, "/api/v1/auth/token",
                "{\"grant_type\":\"client_credentials\",\"client_id\":\"" + id + "\"}"), 400, "client_secret");
        assertThat(TestHttp.postJson(port, "/api/v1/auth/token", "{\"grant_type\":").status()).isEqualTo(400);
        assertThat(TestHttp.postJson(port, "/api/v1/auth/token", "[1,2]").status()).isEqualTo(400);
        // a huge secret is not hashed: just wrong
        assertProblem(token(id, "s".repeat(5_000)), 401, "Unknown client_id");
        // the right secret still works (fewer failures than the throttle allows)
        assertThat(token(id, secret).status()).isEqualTo(200);
    }

    @Test
    void rotatingRevokesEveryTokenOfTheOldSecret() {
        String id = newId("gsrv");
        String old = create(id, "{}").get("clientSecret").asText();
        String oldToken = token(id, old).json().get("token").asText();
        assertThat(TestHttp.get(port, "/api/v1/devices", oldToken).status()).isEqualTo(200);

        TestHttp.Response rotated = admin("POST", "/api/v1/admin/service-accounts/" + id + "/rotate", null);
        assertThat(rotated.status()).as(rotated.raw().body()).isEqualTo(200);
        String fresh = rotated.json().get("clientSecret").asText();
        assertThat(fresh).isNotEqualTo(old).startsWith(ServiceSecrets.PREFIX);

        assertProblem(TestHttp.get(port, "/api/v1/devices", oldToken), 401, "logged out");
        assertProblem(token(id, old), 401, "wrong client_secret");
        String newToken = token(id, fresh).json().get("token").asText();
        assertThat(TestHttp.get(port, "/api/v1/devices", newToken).status()).isEqualTo(200);
        assertThat(auditActions(id)).contains("service_account_created", "service_account_rotated");
    }

    @Test
    void aDisabledAccountGetsNoTokenAndItsTokensStopUntilEnabled() {
        String id = newId("gsrv");
        String secret = create(id, "{}").get("clientSecret").asText();
        String jwt = token(id, secret).json().get("token").asText();

        TestHttp.Response disabled = admin("POST", "/api/v1/admin/service-accounts/" + id + "/disable",
                "{\"reason\":\"cheating bot\"}");
        assertThat(disabled.status()).as(disabled.raw().body()).isEqualTo(200);
        assertThat(disabled.json().get("disabledAt").isNull()).isFalse();
        assertProblem(TestHttp.get(port, "/api/v1/devices", jwt), 401, "logged out");
        assertProblem(token(id, secret), 401, "disabled");

        assertThat(admin("POST", "/api/v1/admin/service-accounts/" + id + "/enable", null).status()).isEqualTo(200);
        assertThat(token(id, secret).status()).isEqualTo(200); // the same secret works again
        assertThat(TestHttp.get(port, "/api/v1/devices", jwt).status()).as("a token from before the disable")
                .isEqualTo(401);
        assertThat(auditActions(id)).contains("service_account_disabled", "service_account_enabled");
    }

    @Test
    void scopesAndLimitsChangeAndBadOnesAreRefused() {
        String id = newId("gsrv");
        create(id, "{\"direct\":\"listed\",\"users\":[\"alice\",\"bob\",\"alice\"]}");
        TestHttp.Response changed = admin("PATCH", "/api/v1/admin/service-accounts/" + id,
                "{\"scopes\":{\"groups\":\"listed\",\"groupIds\":[\"guild-1\"]},\"rateLimit\":\"1000/s,burst=5000\"}");
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        JsonNode scopes = changed.json().get("scopes");
        assertThat(scopes.get("direct").asText()).isEqualTo("listed");
        assertThat(scopes.get("users")).extracting(JsonNode::asText).containsExactly("alice", "bob");
        assertThat(scopes.get("groups").asText()).isEqualTo("listed");
        assertThat(changed.json().get("rateLimit").asText()).isEqualTo("1000/s,burst=5000");

        String path = "/api/v1/admin/service-accounts/" + id;
        assertProblem(admin("PATCH", path, "{\"scopes\":{\"direct\":\"everyone\"}}"), 400, "any, listed or none");
        assertProblem(admin("PATCH", path, "{\"scopes\":{\"groups\":\"all\"}}"), 400, "member, listed or none");
        assertProblem(admin("PATCH", path, "{\"scopes\":{\"users\":[\"$ne\"]}}"), 400, "is not a user id");
        assertProblem(admin("PATCH", path, "{\"scopes\":{\"groupIds\":[\"{}\"]}}"), 400, "is not a group id");
        String many = IntStream.range(0, 1_001).mapToObj(i -> "\"user" + i + "\"").collect(Collectors.joining(","));
        assertProblem(admin("PATCH", path, "{\"scopes\":{\"users\":[" + many + "]}}"), 400, "at most 1000");
        assertProblem(admin("PATCH", path, "{\"rateLimit\":\"off\"}"), 400, "always has a limit");
        assertProblem(admin("PATCH", path, "{\"rateLimit\":\"999999/s\"}"), 400, "up to 100000/s");
        assertProblem(admin("PATCH", path, "{\"rateLimit\":\"fast\"}"), 400, "rateLimit");
        assertProblem(admin("PATCH", path, "{\"name\":\"" + "n".repeat(101) + "\"}"), 400, "name");
        assertProblem(admin("PATCH", path, "{\"name\":\"a\\u0000b\"}"), 400, "control");
        assertThat(admin("PATCH", path, "{\"scopes\":").status()).isEqualTo(400);
        assertProblem(admin("PATCH", "/api/v1/admin/service-accounts/nobody-here", "{\"name\":\"x\"}"), 404,
                "No service account");
        // a person's account is no service account
        assertProblem(admin("POST", "/api/v1/admin/service-accounts/" + ROOT + "/rotate", null), 404,
                "No service account");
        assertProblem(admin("GET", "/api/v1/admin/service-accounts/bad%20id", null), 400, "id must be");
        // nothing of the refused changes was applied
        JsonNode now = admin("GET", path, null).json();
        assertThat(now.get("rateLimit").asText()).isEqualTo("1000/s,burst=5000");
        assertThat(now.get("name").asText()).isEqualTo("Game server");
    }

    @Test
    void creationRefusesBadIdsTakenIdsAndNonAdmins() {
        String path = "/api/v1/admin/service-accounts";
        assertProblem(admin("POST", path, "{\"id\":\"x\"}"), 400, "id must be");
        assertProblem(admin("POST", path, "{\"id\":{\"$gt\":\"\"}}"), 400, "");
        assertProblem(admin("POST", path, "{\"id\":\"system\"}"), 409, "reserved");
        assertProblem(admin("POST", path, "{\"id\":\"" + ROOT + "\"}"), 409, "already taken");
        assertProblem(admin("POST", path, null), 400, "body");
        String plain = MONGO.user("plain");
        assertProblem(TestSupport.callAs(port, "web", "POST", path, "{\"id\":\"sneaky-bot\"}", plain), 403,
                "Only admins");
        assertThat(MONGO.db().getCollection(StoreSchema.USERS).find(new Document("_id", "sneaky-bot")).first()).isNull();
        // a page of service accounts only: people are not listed
        JsonNode page = admin("GET", path + "?limit=200", null).json();
        assertThat(page.get("serviceAccounts")).extracting(n -> n.get("id").asText()).doesNotContain(ROOT, plain);
        assertProblem(admin("GET", path + "?limit=0", null), 400, "limit");
        assertProblem(admin("GET", path + "?after=%24where", null), 400, "after");
    }

    @Test
    void onlyServicesWithTheBroadcastScopeBroadcast() {
        String allowed = newId("caster");
        String denied = newId("quiet");
        String allowedToken = token(allowed, create(allowed, "{\"broadcast\":true}").get("clientSecret").asText())
                .json().get("token").asText();
        String deniedToken = token(denied, create(denied, "{}").get("clientSecret").asText())
                .json().get("token").asText();
        String body = "{\"body\":\"Server restart in 5 minutes\",\"to\":\"all\"}";
        TestHttp.Response sent = TestHttp.send(port, "POST", "/api/v1/broadcasts", "application/json", body, allowedToken);
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(201);
        assertThat(sent.json().get("conv").asText()).isEqualTo("s:all");
        assertProblem(TestHttp.send(port, "POST", "/api/v1/broadcasts", "application/json", body, deniedToken), 403,
                "broadcast scope");
        // a person, even an admin, uses the admin route
        assertProblem(TestSupport.callAs(port, "web", "POST", "/api/v1/broadcasts", body, ROOT), 403, "admins use");
        assertThat(TestHttp.send(port, "POST", "/api/v1/broadcasts", "application/json", body, null).status())
                .isEqualTo(401);
    }

    private java.util.List<String> auditActions(String target) {
        return admin("GET", "/api/v1/admin/audit?target=" + target, null).json().get("entries").findValues("action")
                .stream().map(JsonNode::asText).toList();
    }
}
