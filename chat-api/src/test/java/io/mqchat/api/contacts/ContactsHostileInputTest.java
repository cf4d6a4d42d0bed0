package io.mqchat.api.contacts;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Wrong owners, impossible ids, oversized or malformed input, floods: problem details, never a 5xx. */
class ContactsHostileInputTest extends ContactsApiTestBase {

    @Test
    void nobodyActsOnARequestThatIsNotTheirs() {
        String amy = user();
        String ben = user();
        String eve = user();
        assertStatus(request(amy, ben, null), 201);
        assertProblem(call("POST", "/api/v1/contacts/requests/" + amy + "/accept", null, eve), 404, "no pending");
        assertProblem(call("POST", "/api/v1/contacts/requests/" + amy + "/decline", null, eve), 404, "no pending");
        assertProblem(call("POST", "/api/v1/contacts/requests/" + ben + "/accept", null, amy), 404,
                "no pending contact request from");
        assertProblem(call("DELETE", "/api/v1/contacts/requests/" + ben, null, eve), 404, "no pending");
        assertProblem(call("DELETE", "/api/v1/contacts/requests/" + amy, null, ben), 404,
                "no pending contact request to");
        assertThat(requestStored(amy, ben)).as("still pending").isTrue();
        assertThat(contactStored(eve, amy)).isFalse();
        assertThat(version(eve)).isZero();
    }

    @Test
    void unknownReservedOwnAndServiceIdsAreRefused() {
        String cat = user();
        assertProblem(request(cat, "nobody-" + cat, null), 404, "No such user");
        assertProblem(request(cat, cat, null), 400, "That is you");
        assertProblem(request(cat, "system", null), 400, "belongs to the server");
        assertProblem(request(cat, "SYSTEM", null), 400, "belongs to the server");
        String bot = user();
        db().getCollection(StoreSchema.USERS).updateOne(Filters.eq(StoreSchema.User.ID, bot),
                Updates.set(StoreSchema.User.KIND, StoreSchema.User.KIND_SERVICE));
        assertProblem(request(cat, bot, null), 400, "Service accounts cannot be contacts");
        for (String id : new String[]{"a$b", "{\\\"$ne\\\":null}", "a|b", "ab", "x".repeat(33), ""}) {
            assertProblem(request(cat, id, null), 400, "user id");
        }
        TestHttp.Response object = call("POST", "/api/v1/contacts/requests", "{\"userId\":{\"$ne\":null}}", cat);
        assertThat(object.status()).isEqualTo(400);
        assertThat(object.contentType()).startsWith("application/problem+json");
        // impossible ids in paths: nothing of that name exists
        for (String path : new String[]{"a$b", "%7B%7D", "a%7Cb", "a.b"}) {
            assertProblem(call("POST", "/api/v1/contacts/requests/" + path + "/accept", null, cat), 404, "no pending");
            assertProblem(call("DELETE", "/api/v1/contacts/" + path, null, cat), 404, "not in your contacts");
        }
        assertThat(version(cat)).isZero();
    }

    @Test
    void messagesAreBoundedTextWithoutControlCharacters() {
        String dan = user();
        String fay = user();
        assertProblem(request(dan, fay, "x".repeat(201)), 400, "at most 200");
        assertProblem(request(dan, fay, "x".repeat(100_000)), 400, "at most 200");
        assertProblem(request(dan, fay, "line\\nbreak"), 400, "control characters");
        assertProblem(request(dan, fay, "nul\\u0000"), 400, "control characters");
        assertProblem(request(dan, fay, "half \\ud83d"), 400, "control characters");
        assertThat(requestStored(dan, fay)).isFalse();
        // 200 characters, emoji (two chars each in Java) counted as one
        TestHttp.Response ok = request(dan, fay, "\\ud83d\\udc4b".repeat(200));
        assertStatus(ok, 201);
        assertThat(ok.json().get("message").asText().codePointCount(0, 400)).isEqualTo(200);
    }

    @Test
    void malformedBodiesAndOutOfRangeParametersAreProblems() {
        String gus = user();
        for (String body : new String[]{"{", "[]", "\"x\"", "{\"userId\":[\"a\"]}", "{\"message\":\"hi\"}", "null"}) {
            TestHttp.Response r = call("POST", "/api/v1/contacts/requests", body, gus);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.contentType()).as(body).startsWith("application/problem+json");
        }
        for (String query : new String[]{"?page=-1", "?size=0", "?size=101", "?page=abc", "?sinceVersion=-1",
                "?sinceVersion=x", "?sinceVersion=0&size=0", "?sinceVersion=0&size=501",
                "?sinceVersion=99999999999999999999"}) {
            TestHttp.Response r = call("GET", "/api/v1/contacts" + query, null, gus);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.contentType()).as(query).startsWith("application/problem+json");
        }
        for (String path : new String[]{"/api/v1/contacts/requests?direction=sideways", "/api/v1/contacts/requests?size=1000",
                "/api/v1/blocks?page=-3", "/api/v1/blocks?size=abc"}) {
            TestHttp.Response r = call("GET", path, null, gus);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(call("GET", "/api/v1/contacts", null, null).status()).isEqualTo(401);
        assertThat(call("PUT", "/api/v1/blocks/" + gus, null, null).status()).isEqualTo(401);
    }

    @Test
    void pendingRequestsAreCappedAndNewOnesRateLimited() {
        String hal = user();
        for (int i = 0; i < MAX_PENDING; i++) {
            assertStatus(request(hal, user(), null), 201);
        }
        String one = user();
        assertProblem(request(hal, one, null), 409, "waiting for an answer");
        assertThat(requestStored(hal, one)).isFalse();

        // cancelling frees a place, but the rate limit counts every new request
        String ivy = user();
        int sent = MAX_PENDING;
        TestHttp.Response last = null;
        for (int i = 0; i < 10 && (last == null || last.status() != 429); i++) {
            TestHttp.Response outgoing = call("GET", "/api/v1/contacts/requests?direction=outgoing&size=1", null, hal);
            String oldest = outgoing.json().get("items").get(0).get("userId").asText();
            assertStatus(call("DELETE", "/api/v1/contacts/requests/" + oldest, null, hal), 204);
            last = request(hal, i == 0 ? ivy : user(), null);
            if (last.status() == 201) {
                sent++;
            }
        }
        assertThat(sent).isEqualTo(REQUEST_BURST);
        assertProblem(last, 429, "too many contact requests");
        assertThat(last.json().get("code").asText()).isEqualTo("contact_request_rate_limited");
        assertThat(last.raw().headers().firstValue("Retry-After")).isPresent();
    }
}
