package io.mqchat.api.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.mqchat.api.TestSupport.assertProblem;
import static io.mqchat.web.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Changing your password and deleting your account over HTTP, the real app against an in-process MongoDB and
 * the test Redis: what each revokes, what deletion keeps and removes, and hostile input. 3 failed password
 * checks per account, then one per 10 s (logins and these checks share the buckets). Live MQTT devices being
 * disconnected are in chat-standalone's {@code AccountEndToEndTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class AccountEndToEndTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String DB = "account-e2e";
    private static final String PASSWORD = "first-pass-1";
    private static final String NEW_PASSWORD = "second-pass-2";
    private static final String CONFIGURED_ADMIN = "root-account";
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo(DB);
    private static final Queue<BusMessage> BUS = new ConcurrentLinkedQueue<>();
    private static RedissonClient busListener;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.admins", () -> CONFIGURED_ADMIN);
        registry.add("mqchat.rate-limit.registrations", () -> "off");
        registry.add("mqchat.rate-limit.login-failures", () -> "6/m,burst=3");
        // all tests speak from 127.0.0.1: only the per-account bucket is under test here
        registry.add("mqchat.rate-limit.address-login-failures", () -> "off");
    }

    @BeforeAll
    static void listenToTheBus() {
        Config config = new Config();
        config.useSingleServer().setAddress(TestSupport.redisAddress());
        busListener = Redisson.create(config);
        // addListener returns once subscribed, so nothing sent afterwards is missed
        busListener.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE)
                .addListener(String.class, (channel, text) -> BusMessage.fromJson(text).ifPresent(BUS::add));
    }

    @AfterAll
    static void stop() {
        busListener.shutdown();
    }

    @LocalServerPort
    int port;

    static MongoDatabase db() {
        return MONGO.db();
    }

    /** A user registered over HTTP (so the password is really hashed and checked). */
    private String register(String prefix) {
        String id = prefix + UUID.randomUUID().toString().substring(0, 8);
        TestHttp.Response r = TestHttp.postJson(port, "/api/v1/auth/register",
                "{\"userId\":\"" + id + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return id;
    }

    private TestHttp.Response login(String user, String password, String device) {
        return TestHttp.postJson(port, "/api/v1/auth/login", "{\"userId\":\"" + user + "\",\"password\":\""
                + password + "\",\"deviceType\":\"" + device + "\"}");
    }

    private String token(String user, String password, String device) {
        TestHttp.Response r = login(user, password, device);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r.json().get("token").asText();
    }

    private TestHttp.Response call(String method, String path, String body, String token) {
        return send(port, method, path, body == null ? null : "application/json", body, token);
    }

    private TestHttp.Response changePassword(String token, String current, String next) {
        return call("POST", "/api/v1/users/me/password",
                "{\"currentPassword\":\"" + current + "\",\"newPassword\":\"" + next + "\"}", token);
    }

    private TestHttp.Response deleteAccount(String token, String password) {
        return call("DELETE", "/api/v1/users/me", "{\"password\":\"" + password + "\"}", token);
    }

    private static void assertCode(TestHttp.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith(PROBLEM_JSON);
        assertThat(r.json().path("code").asText()).isEqualTo(code);
    }

    private int devicesStatus(String token) {
        return call("GET", "/api/v1/devices", null, token).status();
    }

    private static List<BusMessage.Disconnect> disconnectsOf(String clientId) {
        return BUS.stream().filter(m -> m instanceof BusMessage.Disconnect d && clientId.equals(d.clientId()))
                .map(BusMessage.Disconnect.class::cast).toList();
    }

    @Test
    void aNewPasswordKeepsTheCallingDeviceAndLogsOutEveryOtherOne() {
        String amy = register("pw");
        String phone = token(amy, PASSWORD, "phone");
        String desktop = token(amy, PASSWORD, "desktop");
        String web = token(amy, PASSWORD, "web");

        TestHttp.Response changed = changePassword(phone, PASSWORD, NEW_PASSWORD);
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        List<String> loggedOut = new ArrayList<>();
        changed.json().get("loggedOut").forEach(n -> loggedOut.add(n.asText()));
        assertThat(loggedOut).containsExactly("desktop", "web");

        assertThat(devicesStatus(phone)).isEqualTo(200);
        assertThat(devicesStatus(desktop)).isEqualTo(401);
        assertThat(devicesStatus(web)).isEqualTo(401);
        // the broker nodes are told to disconnect the others (with the reason), never the caller
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(disconnectsOf(amy + ":desktop")).singleElement()
                    .satisfies(m -> assertThat(m.reason()).contains("password was changed"));
            assertThat(disconnectsOf(amy + ":web")).hasSize(1);
        });
        assertThat(disconnectsOf(amy + ":phone")).isEmpty();

        assertThat(login(amy, PASSWORD, "desktop").status()).isEqualTo(401);
        assertThat(login(amy, NEW_PASSWORD, "desktop").status()).isEqualTo(200);
        // stored as a bcrypt hash, never as the text
        String hash = db().getCollection(StoreSchema.USERS).find(Filters.eq(StoreSchema.User.ID, amy)).first()
                .getString(StoreSchema.User.PASSWORD_HASH);
        assertThat(hash).startsWith("$2").doesNotContain(NEW_PASSWORD);
    }

    @Test
    void aWrongCurrentPasswordIsRefusedAndRepeatedGuessesAreThrottledLikeLogins() {
        String ben = register("th");
        String phone = token(ben, PASSWORD, "phone");
        for (int i = 0; i < 3; i++) {
            assertCode(changePassword(phone, "guess-" + i + "-x", NEW_PASSWORD), 403, AccountService.WRONG_PASSWORD);
        }
        // the bucket is empty: the right password is not even checked, and login is locked the same way
        TestHttp.Response locked = changePassword(phone, PASSWORD, NEW_PASSWORD);
        assertCode(locked, 429, "login_throttled");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isPositive();
        assertCode(deleteAccount(phone, PASSWORD), 429, "login_throttled");
        assertThat(login(ben, PASSWORD, "desktop").status()).isEqualTo(429);
        // nothing changed meanwhile
        assertThat(devicesStatus(phone)).isEqualTo(200);
        assertThat(db().getCollection(StoreSchema.USERS).countDocuments(Filters.eq(StoreSchema.User.ID, ben))).isOne();
        // once the bucket refills (one every 10 s) the right password works
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2))
                .until(() -> changePassword(phone, PASSWORD, NEW_PASSWORD).status() == 200);
        assertThat(login(ben, NEW_PASSWORD, "desktop").status()).isEqualTo(200);
    }

    @Test
    void hostileBodiesAnswerProblemsAndChangeNothing() {
        String cat = register("ho");
        String phone = token(cat, PASSWORD, "phone");
        assertProblem(changePassword(phone, PASSWORD, "short1"), 400, "8-72 bytes");
        assertProblem(changePassword(phone, PASSWORD, "onlyletters"), 400, "one letter and one character");
        assertProblem(changePassword(phone, PASSWORD, "x" + cat + "1"), 400, "must not contain the user id");
        assertProblem(changePassword(phone, PASSWORD, PASSWORD), 400, "must differ");
        assertProblem(changePassword(phone, PASSWORD, "a1".repeat(40)), 400, "8-72 bytes");
        assertProblem(call("POST", "/api/v1/users/me/password", "{\"newPassword\":\"" + NEW_PASSWORD + "\"}", phone),
                400, "currentPassword is required");
        assertProblem(call("POST", "/api/v1/users/me/password", "{\"currentPassword\":\"" + PASSWORD + "\"}", phone),
                400, "newPassword is required");
        assertProblem(call("DELETE", "/api/v1/users/me", "{}", phone), 400, "password is required");
        String[] malformed = {"", "null", "[]", "\"x\"", "{", "{\"currentPassword\":1,\"newPassword\":{}}",
                "{\"currentPassword\":\"a\",\"currentPassword\":\"b\",\"newPassword\":\"c\"}"};
        for (String body : malformed) {
            for (String[] route : new String[][]{{"POST", "/api/v1/users/me/password"}, {"DELETE", "/api/v1/users/me"}}) {
                TestHttp.Response r = call(route[0], route[1], body, phone);
                assertThat(r.status()).as(route[0] + " " + body + ": " + r.raw().body()).isBetween(400, 499);
                assertThat(r.contentType()).startsWith(PROBLEM_JSON);
            }
        }
        // no body at all, the wrong media type, a body over the 1 MB limit
        assertThat(send(port, "DELETE", "/api/v1/users/me", null, null, phone).status()).isEqualTo(415);
        TestHttp.Response noBody = send(port, "DELETE", "/api/v1/users/me", "application/json", null, phone);
        assertThat(noBody.status()).isEqualTo(400);
        assertThat(noBody.contentType()).startsWith(PROBLEM_JSON);
        TestHttp.Response text = send(port, "POST", "/api/v1/users/me/password", "text/plain", "hello", phone);
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.contentType()).startsWith(PROBLEM_JSON);
        TestHttp.Response huge = changePassword(phone, "x".repeat(1_100_000), NEW_PASSWORD);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.contentType()).startsWith(PROBLEM_JSON);
        // a password far over bcrypt's limit is simply wrong (not hashed, not a 500)
        assertCode(changePassword(phone, "p1".repeat(5000), NEW_PASSWORD), 403, AccountService.WRONG_PASSWORD);

        // without a token, or with a made-up one
        assertThat(changePassword(null, PASSWORD, NEW_PASSWORD).status()).isEqualTo(401);
        assertThat(deleteAccount("not-a-token", PASSWORD).status()).isEqualTo(401);

        assertThat(devicesStatus(phone)).isEqualTo(200);
        assertThat(login(cat, PASSWORD, "desktop").status()).isEqualTo(200);
    }

    @Test
    void anotherUsersTokenChangesOrDeletesOnlyItsOwnAccount() {
        String dan = register("ow");
        String eve = register("ot");
        String danPassword = "dans-own-pass-3";
        assertThat(changePassword(token(dan, PASSWORD, "phone"), PASSWORD, danPassword).status()).isEqualTo(200);
        String evePhone = token(eve, PASSWORD, "phone");
        // "me" is always the token's user: dan's password does not open eve's account, and nothing reaches dan's
        assertCode(changePassword(evePhone, danPassword, NEW_PASSWORD), 403, AccountService.WRONG_PASSWORD);
        assertCode(deleteAccount(evePhone, danPassword), 403, AccountService.WRONG_PASSWORD);
        // no route takes another user's id
        assertThat(call("DELETE", "/api/v1/users/" + dan, "{\"password\":\"" + danPassword + "\"}", evePhone).status())
                .isIn(404, 405);
        assertThat(call("POST", "/api/v1/users/" + dan + "/password", "{\"currentPassword\":\"" + danPassword
                + "\",\"newPassword\":\"" + NEW_PASSWORD + "\"}", evePhone).status()).isIn(404, 405);
        assertThat(deleteAccount(evePhone, PASSWORD).status()).isEqualTo(204);
        assertThat(login(dan, danPassword, "desktop").status()).isEqualTo(200);
        assertThat(db().getCollection(StoreSchema.USERS).countDocuments(Filters.eq(StoreSchema.User.ID, dan))).isOne();
        assertThat(db().getCollection(StoreSchema.USERS).countDocuments(Filters.eq(StoreSchema.User.ID, eve))).isZero();
    }

    @Test
    void deletingAnAccountRemovesItEverywhereButKeepsItsMessagesAndItsIdForGood() {
        String fay = register("de");
        // in fay's group: an admin who joined with the group, a member who joined first but is no admin
        String zed = register("zz");
        String amos = register("aa");
        String later = register("ab");
        String other = register("ot");
        String phone = token(fay, PASSWORD, "phone");
        String desktop = token(fay, PASSWORD, "desktop");
        String otherToken = token(other, PASSWORD, "phone");

        String withAdmin = createGroup(phone, List.of(zed, amos));
        assertThat(call("PUT", "/api/v1/groups/" + withAdmin + "/members/" + zed + "/role", "{\"role\":\"admin\"}",
                phone).status()).isEqualTo(200);
        String membersOnly = createGroup(phone, List.of(zed));
        assertThat(call("POST", "/api/v1/groups/" + membersOnly + "/members", "{\"userIds\":[\"" + later + "\"]}",
                phone).status()).isEqualTo(201);
        String alone = createGroup(phone, List.of());
        String othersGroup = createGroup(otherToken, List.of(fay));
        String invitedTo = createGroup(otherToken, List.of());
        assertThat(call("POST", "/api/v1/groups/" + invitedTo + "/invitations", "{\"userIds\":[\"" + fay + "\"]}",
                otherToken).status()).isEqualTo(201);
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"nobody\"}", phone).status()).isEqualTo(200);
        // a message fay sent (as the broker stores it)
        db().getCollection(StoreSchema.MESSAGES).insertOne(new Document(StoreSchema.Message.ID, "m-" + fay)
                .append(StoreSchema.Message.CONV, ConversationId.direct(fay, other).toString()).append(StoreSchema.Message.SEQ, 1L)
                .append(StoreSchema.Message.FROM, fay).append(StoreSchema.Message.TO, other)
                .append(StoreSchema.Message.TS, System.currentTimeMillis()).append(StoreSchema.Message.DEV, "phone")
                .append(StoreSchema.Message.CID, "c-" + fay).append(StoreSchema.Message.TYPE, "text")
                .append(StoreSchema.Message.BODY, "remember me"));
        db().getCollection(StoreSchema.CONVERSATIONS).insertOne(new Document(StoreSchema.Conversation.ID, fay + "|x")
                .append(StoreSchema.Conversation.USER, fay).append(StoreSchema.Conversation.CONV, "d:" + fay + "|" + other));

        assertCode(deleteAccount(phone, "wrong-pass-1"), 403, AccountService.WRONG_PASSWORD);
        assertThat(devicesStatus(phone)).isEqualTo(200);
        assertThat(deleteAccount(phone, PASSWORD).status()).isEqualTo(204);

        // every device: token dead, disconnect sent with the reason; no login, no new registration of the id
        assertThat(devicesStatus(phone)).isEqualTo(401);
        assertThat(devicesStatus(desktop)).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(disconnectsOf(fay + ":phone")).singleElement()
                    .satisfies(m -> assertThat(m.reason()).contains("account was deleted"));
            assertThat(disconnectsOf(fay + ":desktop")).hasSize(1);
        });
        assertThat(login(fay, PASSWORD, "phone").status()).isEqualTo(401);
        TestHttp.Response again = TestHttp.postJson(port, "/api/v1/auth/register",
                "{\"userId\":\"" + fay + "\",\"password\":\"" + NEW_PASSWORD + "\"}");
        assertProblem(again, 409, "deleted account");
        assertThat(db().getCollection(StoreSchema.USERS).countDocuments(Filters.eq(StoreSchema.User.ID, fay))).isZero();
        assertCode(call("GET", "/api/v1/users/" + fay, null, otherToken), 404, "account_deleted");
        TestHttp.Response unknown = call("GET", "/api/v1/users/never-" + fay, null, otherToken);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().has("code")).isFalse();

        // groups: the admin takes over (not the member whose id sorts first), the member who joined first takes over
        // where there is no admin, an empty group is dissolved, fay left the others' group; invitation gone
        assertThat(group(withAdmin, zed).get("owner").asText()).isEqualTo(zed);
        assertThat(group(membersOnly, later).get("owner").asText()).isEqualTo(zed);
        assertThat(group(membersOnly, later).get("memberCount").asInt()).isEqualTo(2);
        assertThat(call("GET", "/api/v1/groups/" + alone, null, otherToken).status()).isEqualTo(404);
        assertThat(group(othersGroup, other).get("memberCount").asInt()).isEqualTo(1);
        assertThat(db().getCollection(StoreSchema.GROUP_MEMBERS)
                .countDocuments(Filters.eq(StoreSchema.GroupMember.USER_ID, fay))).isZero();
        assertThat(db().getCollection(StoreSchema.GROUP_INVITATIONS)
                .countDocuments(Filters.eq(StoreSchema.GroupPending.USER_ID, fay))).isZero();
        assertThat(eventNames(withAdmin)).endsWith("owner_changed", "member_left");
        assertThat(eventNames(alone)).endsWith("dissolved");
        assertThat(eventNames(othersGroup)).endsWith("member_left");

        // fay's message stays, under fay's id; fay's own conversation list is gone
        Document kept = db().getCollection(StoreSchema.MESSAGES).find(Filters.eq(StoreSchema.Message.ID, "m-" + fay)).first();
        assertThat(kept).isNotNull();
        assertThat(kept.getString(StoreSchema.Message.FROM)).isEqualTo(fay);
        assertThat(db().getCollection(StoreSchema.CONVERSATIONS)
                .countDocuments(Filters.eq(StoreSchema.Conversation.USER, fay))).isZero();
        // an admin still lists what the deleted account sent (moderation does not end with the account)
        TestHttp.Response listed = call("GET", "/api/v1/admin/users/" + fay + "/messages", null, adminToken());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("messages")).extracting(m -> m.get("id").asText()).contains("m-" + fay);
        // a deleted user cannot be added to a group any more
        assertProblem(call("POST", "/api/v1/groups/" + othersGroup + "/members", "{\"userIds\":[\"" + fay + "\"]}",
                otherToken), 400, "Unknown users");
    }

    /** A token of the configured admin (its account written straight into the store). */
    private String adminToken() {
        db().getCollection(StoreSchema.USERS).deleteOne(Filters.eq(StoreSchema.User.ID, CONFIGURED_ADMIN));
        db().getCollection(StoreSchema.USERS).insertOne(new Document(StoreSchema.User.ID, CONFIGURED_ADMIN)
                .append(StoreSchema.User.PASSWORD_HASH, new org.springframework.security.crypto.bcrypt
                        .BCryptPasswordEncoder(4).encode(PASSWORD)).append(StoreSchema.User.CREATED_AT, new Date()));
        return token(CONFIGURED_ADMIN, PASSWORD, "web");
    }

    @Test
    void aConfiguredAdminCannotDeleteItsAccount() {
        String token = adminToken();
        assertProblem(deleteAccount(token, PASSWORD), 409, "MQCHAT_ADMINS");
        assertThat(devicesStatus(token)).isEqualTo(200);
    }

    private String createGroup(String token, List<String> members) {
        String list = members.stream().map(m -> "\"" + m + "\"").reduce((a, b) -> a + "," + b).orElse("");
        TestHttp.Response r = call("POST", "/api/v1/groups", "{\"name\":\"Team\",\"members\":[" + list + "]}", token);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json().get("groupId").asText();
    }

    private JsonNode group(String groupId, String member) {
        TestHttp.Response r = call("GET", "/api/v1/groups/" + groupId, null, TestSupport.loggedInToken(member, "tablet"));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> eventNames(String groupId) {
        List<String> names = new ArrayList<>();
        for (Document event : db().getCollection(StoreSchema.MESSAGES).find(Filters.and(
                        Filters.eq(StoreSchema.Message.CONV, "g:" + groupId), Filters.eq(StoreSchema.Message.TYPE, "event")))
                .sort(Sorts.ascending(StoreSchema.Message.SEQ))) {
            names.add(Document.parse(event.getString(StoreSchema.Message.BODY_JSON)).getString("event"));
        }
        return names;
    }
}
