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
}
