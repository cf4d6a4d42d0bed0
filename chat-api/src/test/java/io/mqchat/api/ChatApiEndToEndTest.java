package io.mqchat.api;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.mqchat.web.TestHttp.get;
import static io.mqchat.web.TestHttp.postJson;
import static io.mqchat.web.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole app over HTTP against an in-process MongoDB (mongo-java-server). Started through
 * {@code main}, i.e. {@link ChatApiApplication#builder()}, so {@code chat-api.yml} is what is tested.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class ChatApiEndToEndTest {

    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("chatapi-e2e");
    private static final String PROBLEM_JSON = "application/problem+json";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
    }

    @LocalServerPort
    int port;

    private static String uniqueUser() {
        return "u" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String credentials(String userId, String password) {
        return "{\"userId\":\"" + userId + "\",\"password\":\"" + password + "\"}";
    }

    private static String login(String userId, String password, String device) {
        return "{\"userId\":\"" + userId + "\",\"password\":\"" + password + "\",\"deviceType\":\"" + device + "\"}";
    }

    private static long userCount() {
        return MONGO.db().getCollection(StoreSchema.USERS).countDocuments();
    }

    @Test
    void registerStoresABcryptHashAndAnswersWithLocation() {
        String user = uniqueUser();
        TestHttp.Response response = postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("Location")).isEqualTo("/api/v1/users/" + user);
        assertThat(response.json().get("userId").asText()).isEqualTo(user);

        MongoCollection<Document> users = MONGO.db().getCollection(StoreSchema.USERS);
        Document doc = users.find(Filters.eq("_id", user)).first();
        assertThat(doc).isNotNull();
        String hash = doc.getString(StoreSchema.User.PASSWORD_HASH);
        assertThat(hash).startsWith("$2a$10$").doesNotContain("s3cret-pass");
        assertThat(BCrypt.checkpw("s3cret-pass", hash)).isTrue();
        assertThat(doc.getDate(StoreSchema.User.CREATED_AT).toInstant())
                .isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    }

    @Test
    void duplicateRegistrationIsAConflict() {
        String user = uniqueUser();
        assertThat(postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass")).status()).isEqualTo(201);

        TestHttp.Response again = postJson(port, "/api/v1/auth/register", credentials(user, "other-pass-9"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith(PROBLEM_JSON);
        assertThat(again.json().get("detail").asText()).contains("already taken");
    }

    @Test
    void weakPasswordsAreRefused() {
        String user = uniqueUser();
        for (String weak : new String[]{"short1", "onlyletters", "1234567890", user + "-1", "x".repeat(70) + "éé"}) {
            TestHttp.Response response = postJson(port, "/api/v1/auth/register", credentials(user, weak));
            assertThat(response.status()).as(weak).isEqualTo(400);
            assertThat(response.contentType()).startsWith(PROBLEM_JSON);
            assertThat(response.json().get("detail").asText()).as(weak).startsWith("password must");
        }
        assertThat(get(port, "/api/v1/users/" + user, tokenFor("someone")).status()).isEqualTo(404);
    }

    @Test
    void invalidAndInjectionShapedUserIdsAreRefusedWithoutTouchingTheStore() {
        long before = userCount();
        for (String body : new String[]{
                credentials("ab", "s3cret-pass"),
                credentials("a/b/c", "s3cret-pass"),
                credentials("{\\\"$gt\\\":\\\"\\\"}", "s3cret-pass"),
                "{\"userId\":{\"$gt\":\"\"},\"password\":\"s3cret-pass\"}",
                "{\"userId\":{\"$ne\":null},\"password\":\"s3cret-pass\",\"deviceType\":\"phone\"}"}) {
            TestHttp.Response response = postJson(port, "/api/v1/auth/register", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith(PROBLEM_JSON);
        }
        TestHttp.Response loginInjection = postJson(port, "/api/v1/auth/login",
                "{\"userId\":{\"$gt\":\"\"},\"password\":\"s3cret-pass\",\"deviceType\":\"phone\"}");
        assertThat(loginInjection.status()).isEqualTo(400);
        assertThat(loginInjection.json().get("detail").asText()).isEqualTo("Field 'userId' has the wrong type.");
        assertThat(userCount()).isEqualTo(before);
    }

    @Test
    void loginIssuesATokenTheBrokerAccepts() {
        String user = uniqueUser();
        postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass"));

        TestHttp.Response response = postJson(port, "/api/v1/auth/login", login(user, "s3cret-pass", "tablet"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("clientId").asText()).isEqualTo(user + ":tablet");
        AccessTokens.AccessToken token = new AccessTokens(TestSupport.SECRET)
                .verify(response.json().get("token").asText()).orElseThrow();
        assertThat(token.userId()).isEqualTo(user);
        assertThat(token.deviceType()).isEqualTo("tablet");
        Instant expiresAt = Instant.parse(response.json().get("expiresAt").asText());
        assertThat(expiresAt).isEqualTo(token.expiresAt())
                .isCloseTo(Instant.now().plus(Duration.ofDays(7)), within(Duration.ofMinutes(1)));

        TestHttp.Response self = get(port, "/api/v1/users/" + user, response.json().get("token").asText());
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.json().get("userId").asText()).isEqualTo(user);
        assertThat(Instant.parse(self.json().get("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(self.json().has("passwordHash")).isFalse();
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() {
        String user = uniqueUser();
        postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass"));

        TestHttp.Response wrong = postJson(port, "/api/v1/auth/login", login(user, "s3cret-pasS", "phone"));
        TestHttp.Response unknown = postJson(port, "/api/v1/auth/login", login(uniqueUser(), "s3cret-pass", "phone"));

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.contentType()).startsWith(PROBLEM_JSON);
        assertThat(wrong.json().get("detail")).isEqualTo(unknown.json().get("detail"));
        assertThat(wrong.json().has("token")).isFalse();
    }

    @Test
    void unknownDeviceTypeAndMissingFieldsAreBadRequests() {
        String user = uniqueUser();
        postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass"));

        TestHttp.Response device = postJson(port, "/api/v1/auth/login", login(user, "s3cret-pass", "toaster"));
        assertThat(device.status()).isEqualTo(400);
        assertThat(device.json().get("detail").asText()).contains("deviceType must be one of").contains("phone");

        TestHttp.Response missing = postJson(port, "/api/v1/auth/login", credentials(user, "s3cret-pass"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("detail").asText()).isEqualTo("deviceType is required");
    }

    @Test
    void malformedRequestsGetProblemDetails() {
        TestHttp.Response malformed = postJson(port, "/api/v1/auth/register", "{\"userId\": \"abc\", ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith(PROBLEM_JSON);
        assertThat(malformed.json().get("detail").asText()).isEqualTo("The request body is not valid JSON.");
        assertThat(malformed.raw().body()).doesNotContain("Exception").doesNotContain("at io.");

        TestHttp.Response text = send(port, "POST", "/api/v1/auth/register", "text/plain", "hello", null);
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.contentType()).startsWith(PROBLEM_JSON);

        TestHttp.Response unknownRoute = get(port, "/api/v1/nothing-here", tokenFor("someone"));
        assertThat(unknownRoute.status()).isEqualTo(404);
        assertThat(unknownRoute.contentType()).startsWith(PROBLEM_JSON);

        TestHttp.Response wrongMethod = get(port, "/api/v1/auth/login", null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith(PROBLEM_JSON);
    }

    @Test
    void userLookupNeedsAValidToken() {
        String user = uniqueUser();
        postJson(port, "/api/v1/auth/register", credentials(user, "s3cret-pass"));

        TestHttp.Response none = get(port, "/api/v1/users/" + user, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(none.contentType()).startsWith(PROBLEM_JSON);

        String foreign = new AccessTokens("another-secret-another-secret-another!!").issue(user, "phone",
                Duration.ofHours(1));
        assertThat(get(port, "/api/v1/users/" + user, foreign).status()).isEqualTo(401);
        assertThat(get(port, "/api/v1/users/" + user, "garbage").status()).isEqualTo(401);
        assertThat(get(port, "/api/v1/users/nobody-here", tokenFor(user)).status()).isEqualTo(404);
    }

    @Test
    void actuatorExposesHealthAndPrometheus() {
        postJson(port, "/api/v1/auth/login", login("nobody", "whatever-1", "phone"));

        TestHttp.Response health = get(port, "/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");

        TestHttp.Response prometheus = get(port, "/actuator/prometheus", null);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.raw().body()).contains("http_server_requests_seconds_count")
                .contains("application=\"chat-api\"")
                .contains("mongodb_driver_commands");

        assertThat(get(port, "/actuator/env", null).status()).isEqualTo(404);
        assertThat(get(port, "/v3/api-docs", null).raw().body()).contains("/api/v1/auth/register");
    }

    private static String tokenFor(String user) {
        return TestSupport.loggedInToken(user, "phone");
    }
}
