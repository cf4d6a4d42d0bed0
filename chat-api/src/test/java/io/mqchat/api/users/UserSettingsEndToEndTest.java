package io.mqchat.api.users;

import com.mongodb.client.model.Filters;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/users/me/settings}: your own settings only, validated, problems for bad input. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class UserSettingsEndToEndTest {

    private static final String DB = "user-settings-e2e";
    @RegisterExtension
    static final TestMongo MONGO = new TestMongo(DB);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
    }

    @LocalServerPort
    int port;

    private static String user() {
        return MONGO.user("s");
    }

    private TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "phone", method, path, body, user);
    }

    private static String stored(String user) {
        Document d = MONGO.db().getCollection(StoreSchema.USERS)
                .find(Filters.eq(StoreSchema.User.ID, user)).first();
        return d == null ? null : d.getString(StoreSchema.User.GROUP_ADDS);
    }

    @Test
    void everyoneByDefaultAndEachValueCanBeSet() {
        String amy = user();
        TestHttp.Response initial = call("GET", "/api/v1/users/me/settings", null, amy);
        assertThat(initial.status()).isEqualTo(200);
        assertThat(initial.json().get("groupAdds").asText()).isEqualTo("everyone");
        for (String value : new String[]{"nobody", "contacts", "everyone", "nobody"}) {
            TestHttp.Response changed = call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"" + value + "\"}", amy);
            assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
            assertThat(changed.json().get("groupAdds").asText()).isEqualTo(value);
            assertThat(call("GET", "/api/v1/users/me/settings", null, amy).json().get("groupAdds").asText())
                    .isEqualTo(value);
        }
        assertThat(stored(amy)).isEqualTo("nobody");
    }

    @Test
    void badValuesAreProblemsThatListTheChoicesAndChangeNothing() {
        String ben = user();
        for (String body : new String[]{"{\"groupAdds\":\"Nobody\"}", "{\"groupAdds\":\"friends\"}",
                "{\"groupAdds\":\"\"}", "{\"groupAdds\":null}", "{}", "{\"groupadds\":\"nobody\"}"}) {
            TestHttp.Response r = call("PATCH", "/api/v1/users/me/settings", body, ben);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).as(body).contains("\"everyone\", \"contacts\", \"nobody\"");
        }
        TestHttp.Response wrongType = call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":[\"nobody\"]}", ben);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.contentType()).startsWith("application/problem+json");
        assertThat(stored(ben)).as("nothing was written").isNull();
    }

    @Test
    void nobodyReadsOrChangesAnotherUsersSettings() {
        String cara = user();
        String dan = user();
        // there is no route naming a user: 'me' is always the token's user
        assertThat(call("PATCH", "/api/v1/users/" + dan + "/settings", "{\"groupAdds\":\"everyone\"}", cara).status())
                .isEqualTo(404);
        assertThat(call("GET", "/api/v1/users/" + dan + "/settings", null, cara).status()).isEqualTo(404);
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"nobody\"}", dan).status()).isEqualTo(200);
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"contacts\"}", cara).status())
                .isEqualTo(200);
        assertThat(stored(dan)).as("cara's change is hers alone").isEqualTo("nobody");
        assertThat(stored(cara)).isEqualTo("contacts");
        // and without a token there is no 'me'
        TestHttp.Response anonymous = call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"everyone\"}", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/users/me/settings", null, null).status()).isEqualTo(401);
    }

    @Test
    void anUnknownStoredValueReadsAsNobodyNotAsEveryone() {
        String eve = user();
        MONGO.db().getCollection(StoreSchema.USERS).updateOne(Filters.eq(StoreSchema.User.ID, eve),
                new Document("$set", new Document(StoreSchema.User.GROUP_ADDS, "friends-of-friends")));
        assertThat(call("GET", "/api/v1/users/me/settings", null, eve).json().get("groupAdds").asText())
                .isEqualTo("nobody");
    }

    private static Document document(String user) {
        return MONGO.db().getCollection(StoreSchema.USERS).find(Filters.eq(StoreSchema.User.ID, user)).first();
    }

    @Test
    void directMessagesAndPresenceHaveDefaultsAndAreStoredUnderTheirNames() {
        String fay = user();
        TestHttp.Response initial = call("GET", "/api/v1/users/me/settings", null, fay);
        assertThat(initial.json().get("directMessages").asText()).isEqualTo("everyone");
        assertThat(initial.json().get("presence").asText()).isEqualTo("talked");

        TestHttp.Response both = call("PATCH", "/api/v1/users/me/settings",
                "{\"directMessages\":\"contacts\",\"presence\":\"nobody\"}", fay);
        assertThat(both.status()).as(both.raw().body()).isEqualTo(200);
        assertThat(both.json().get("directMessages").asText()).isEqualTo("contacts");
        assertThat(both.json().get("presence").asText()).isEqualTo("nobody");
        assertThat(both.json().get("groupAdds").asText()).as("untouched").isEqualTo("everyone");
        assertThat(document(fay).getString(StoreSchema.User.DIRECT_MESSAGES)).isEqualTo("contacts");
        assertThat(document(fay).getString(StoreSchema.User.PRESENCE)).isEqualTo("nobody");
        assertThat(document(fay).containsKey(StoreSchema.User.GROUP_ADDS)).isFalse();

        TestHttp.Response presence = call("PATCH", "/api/v1/users/me/settings", "{\"presence\":\"contacts\"}", fay);
        assertThat(presence.json().get("presence").asText()).isEqualTo("contacts");
        assertThat(presence.json().get("directMessages").asText()).as("untouched").isEqualTo("contacts");
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"presence\":\"talked\",\"directMessages\":"
                + "\"everyone\"}", fay).json().get("presence").asText()).isEqualTo("talked");
        assertThat(document(fay).getString(StoreSchema.User.PRESENCE)).isEqualTo("talked");
        assertThat(document(fay).getString(StoreSchema.User.DIRECT_MESSAGES)).isEqualTo("everyone");
    }

    @Test
    void oneBadValueChangesNoneOfTheSettings() {
        String gil = user();
        for (String body : new String[]{"{\"directMessages\":\"nobody\"}", "{\"presence\":\"everyone\"}",
                "{\"presence\":\"Talked\"}", "{\"groupAdds\":\"nobody\",\"presence\":\"friends\"}",
                "{\"directMessages\":\"contacts\",\"groupAdds\":\"all\"}", "{\"presence\":[\"nobody\"]}",
                "{\"directMessages\":{\"$ne\":null}}"}) {
            TestHttp.Response r = call("PATCH", "/api/v1/users/me/settings", body, gil);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.contentType()).as(body).startsWith("application/problem+json");
        }
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"presence\":\"x\"}", gil).json().get("detail")
                .asText()).contains("\"talked\", \"contacts\", \"nobody\"");
        assertThat(call("PATCH", "/api/v1/users/me/settings", "{\"directMessages\":\"x\"}", gil).json().get("detail")
                .asText()).contains("\"everyone\", \"contacts\"");
        Document stored = document(gil);
        assertThat(stored.containsKey(StoreSchema.User.GROUP_ADDS)).isFalse();
        assertThat(stored.containsKey(StoreSchema.User.DIRECT_MESSAGES)).isFalse();
        assertThat(stored.containsKey(StoreSchema.User.PRESENCE)).isFalse();
    }

    @Test
    void unknownStoredPrivacyValuesReadAsTheNarrowestChoice() {
        String hil = user();
        MONGO.db().getCollection(StoreSchema.USERS).updateOne(Filters.eq(StoreSchema.User.ID, hil),
                new Document("$set", new Document(StoreSchema.User.DIRECT_MESSAGES, "friends")
                        .append(StoreSchema.User.PRESENCE, 7)));
        TestHttp.Response r = call("GET", "/api/v1/users/me/settings", null, hil);
        assertThat(r.json().get("directMessages").asText()).isEqualTo("contacts");
        assertThat(r.json().get("presence").asText()).isEqualTo("nobody");
    }
}
