package io.mqchat.api.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Contact requests, contacts and their versioned changes over HTTP, with the events on the bus. */
class ContactsEndToEndTest extends ContactsApiTestBase {

    @Test
    void anAcceptedRequestWritesBothDirectionsAndAVersionForEachUser() {
        String amy = user();
        String ben = user();
        TestHttp.Response asked = request(amy, ben, "hi, it's Amy");
        assertStatus(asked, 201);
        assertThat(asked.json().get("status").asText()).isEqualTo("pending");
        assertThat(asked.json().get("userId").asText()).isEqualTo(ben);
        assertThat(asked.json().get("message").asText()).isEqualTo("hi, it's Amy");
        assertThat(requestStored(amy, ben)).isTrue();

        TestHttp.Response incoming = call("GET", "/api/v1/contacts/requests?direction=incoming", null, ben);
        assertStatus(incoming, 200);
        assertThat(incoming.json().get("items")).hasSize(1);
        assertThat(incoming.json().get("items").get(0).get("userId").asText()).isEqualTo(amy);
        assertThat(incoming.json().get("items").get(0).get("message").asText()).isEqualTo("hi, it's Amy");
        TestHttp.Response outgoing = call("GET", "/api/v1/contacts/requests?direction=outgoing", null, amy);
        assertThat(outgoing.json().get("items").get(0).get("userId").asText()).isEqualTo(ben);
        assertThat(call("GET", "/api/v1/contacts/requests", null, amy).json().get("items"))
                .as("incoming by default: nobody asked amy").isEmpty();

        TestHttp.Response accepted = call("POST", "/api/v1/contacts/requests/" + amy + "/accept", null, ben);
        assertStatus(accepted, 201);
        assertThat(accepted.json().get("userId").asText()).isEqualTo(amy);
        assertThat(contactStored(amy, ben)).isTrue();
        assertThat(contactStored(ben, amy)).isTrue();
        assertThat(requestStored(amy, ben)).as("the request is used up").isFalse();

        // each user: requested/request_received (1), accepted (2)
        assertThat(version(amy)).isEqualTo(2);
        assertThat(version(ben)).isEqualTo(2);
        assertThat(changesSince(amy, 0)).containsExactly("requested:" + ben, "accepted:" + ben);
        assertThat(changesSince(ben, 0)).containsExactly("request_received:" + amy, "accepted:" + amy);
        TestHttp.Response list = call("GET", "/api/v1/contacts", null, amy);
        assertThat(list.json().get("items")).hasSize(1);
        assertThat(list.json().get("items").get(0).get("userId").asText()).isEqualTo(ben);
        assertThat(list.json().get("items").get(0).get("since").asText()).isNotEmpty();
        assertThat(list.json().get("hasMore").asBoolean()).isFalse();

        List<JsonNode> toBen = awaitEvents(ben, 2);
        assertThat(toBen.get(0).get("change").asText()).isEqualTo("request_received");
        assertThat(toBen.get(0).get("peer").asText()).isEqualTo(amy);
        assertThat(toBen.get(0).get("message").asText()).isEqualTo("hi, it's Amy");
        assertThat(toBen.get(0).get("version").asLong()).isEqualTo(1);
        assertThat(toBen.get(1).get("change").asText()).isEqualTo("accepted");
        assertThat(toBen.get(1).get("version").asLong()).isEqualTo(2);
        assertThat(toBen.get(1).has("message")).isFalse();
        List<JsonNode> toAmy = awaitEvents(amy, 2);
        assertThat(toAmy.get(1).get("change").asText()).isEqualTo("accepted");
        assertThat(toAmy.get(1).get("peer").asText()).isEqualTo(ben);
        assertThat(toAmy.get(1).get("ts").asLong()).isPositive();
    }

    @Test
    void askingSomeoneWhoAskedYouMakesYouContactsAtOnce() {
        String cat = user();
        String dan = user();
        assertStatus(request(cat, dan, null), 201);
        TestHttp.Response back = request(dan, cat, null);
        assertStatus(back, 201);
        assertThat(back.json().get("status").asText()).isEqualTo("contacts");
        assertThat(contactStored(cat, dan)).isTrue();
        assertThat(contactStored(dan, cat)).isTrue();
        assertThat(requestStored(cat, dan)).isFalse();
        assertThat(requestStored(dan, cat)).isFalse();
        assertThat(changesSince(dan, 0)).containsExactly("request_received:" + cat, "accepted:" + cat);
        assertProblem(request(cat, dan, null), 409, "contacts already");
    }

    @Test
    void askingAgainChangesNothingAndTheFirstMessageStands() {
        String eve = user();
        String fay = user();
        assertStatus(request(eve, fay, "first"), 201);
        TestHttp.Response again = request(eve, fay, "second");
        assertStatus(again, 200);
        assertThat(again.json().get("message").asText()).isEqualTo("first");
        assertThat(version(eve)).as("no new change").isEqualTo(1);
        assertThat(version(fay)).isEqualTo(1);
    }

    @Test
    void declineCancelAndRemoveAreRecordedForBoth() {
        String gus = user();
        String hal = user();
        String ivy = user();
        assertStatus(request(gus, hal, null), 201);
        assertStatus(call("POST", "/api/v1/contacts/requests/" + gus + "/decline", null, hal), 204);
        assertThat(requestStored(gus, hal)).isFalse();
        assertThat(changesSince(gus, 1)).containsExactly("declined:" + hal);
        assertThat(changesSince(hal, 1)).containsExactly("declined:" + gus);

        assertStatus(request(gus, ivy, null), 201);
        assertStatus(call("DELETE", "/api/v1/contacts/requests/" + ivy, null, gus), 204);
        assertThat(requestStored(gus, ivy)).isFalse();
        assertThat(changesSince(ivy, 1)).containsExactly("cancelled:" + gus);
        assertProblem(call("POST", "/api/v1/contacts/requests/" + gus + "/accept", null, ivy), 404, "no pending");

        befriend(hal, ivy);
        long before = version(ivy);
        assertStatus(call("DELETE", "/api/v1/contacts/" + ivy, null, hal), 204);
        assertThat(contactStored(hal, ivy)).isFalse();
        assertThat(contactStored(ivy, hal)).isFalse();
        assertThat(changesSince(ivy, before)).containsExactly("removed:" + hal);
        assertProblem(call("DELETE", "/api/v1/contacts/" + hal, null, ivy), 404, "not in your contacts");
        List<JsonNode> toIvy = awaitEvents(ivy, (int) before + 1);
        assertThat(toIvy.get(toIvy.size() - 1).get("change").asText()).isEqualTo("removed");
    }

    @Test
    void sinceVersionReturnsExactlyTheChangesAfterItInOrderPageByPage() {
        String jon = user();
        String kim = user();
        String lea = user();
        String max = user();
        befriend(jon, kim); // jon: 1 requested, 2 accepted
        long seen = version(jon);
        assertThat(seen).isEqualTo(2);
        // three changes while a device of jon's was offline
        assertStatus(request(lea, jon, null), 201);                                    // 3
        assertStatus(call("DELETE", "/api/v1/contacts/" + kim, null, jon), 204);       // 4
        assertStatus(request(jon, max, "hello"), 201);                                 // 5

        TestHttp.Response all = call("GET", "/api/v1/contacts?sinceVersion=" + seen, null, jon);
        assertStatus(all, 200);
        assertThat(all.json().get("version").asLong()).isEqualTo(5);
        assertThat(all.json().get("next").asLong()).isEqualTo(5);
        assertThat(all.json().get("hasMore").asBoolean()).isFalse();
        List<String> changes = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        all.json().get("changes").forEach(c -> {
            changes.add(c.get("change").asText() + ":" + c.get("peer").asText());
            versions.add(c.get("version").asLong());
        });
        assertThat(changes).containsExactly("request_received:" + lea, "removed:" + kim, "requested:" + max);
        assertThat(versions).containsExactly(3L, 4L, 5L);
        assertThat(all.json().get("changes").get(2).get("message").asText()).isEqualTo("hello");
        assertThat(all.json().get("changes").get(1).get("message").isNull()).as("null where it does not apply").isTrue();
        assertThat(all.json().get("changes").get(1).get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        // the same, one at a time
        List<Long> paged = new ArrayList<>();
        long from = seen;
        boolean more = true;
        while (more) {
            TestHttp.Response page = call("GET", "/api/v1/contacts?size=1&sinceVersion=" + from, null, jon);
            assertStatus(page, 200);
            page.json().get("changes").forEach(c -> paged.add(c.get("version").asLong()));
            from = page.json().get("next").asLong();
            more = page.json().get("hasMore").asBoolean();
        }
        assertThat(paged).containsExactly(3L, 4L, 5L);
        TestHttp.Response upToDate = call("GET", "/api/v1/contacts?sinceVersion=5", null, jon);
        assertThat(upToDate.json().get("changes")).isEmpty();
        assertThat(upToDate.json().get("next").asLong()).isEqualTo(5);

        List<Document> stored = storedChanges(jon);
        assertThat(stored).extracting(d -> ((Number) d.get("version")).longValue()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aClientFurtherBehindThanWhatIsKeptOrAheadIsToldToReload() {
        String nia = user();
        List<String> askers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String asker = user();
            askers.add(asker);
            assertStatus(request(asker, nia, null), 201);
        }
        for (String asker : askers) {
            assertStatus(call("POST", "/api/v1/contacts/requests/" + asker + "/decline", null, nia), 204);
        }
        assertThat(version(nia)).isEqualTo(12);
        assertThat(storedChanges(nia)).as("only the newest are kept").hasSize(KEPT_CHANGES);
        TestHttp.Response gone = call("GET", "/api/v1/contacts?sinceVersion=1", null, nia);
        assertProblem(gone, 410, "Reload your contacts");
        assertThat(gone.json().get("code").asText()).isEqualTo("contacts_reload");
        assertThat(changesSince(nia, 2)).as("version 3 onwards is kept").hasSize(10);
        assertProblem(call("GET", "/api/v1/contacts?sinceVersion=13", null, nia), 410, "newer than your contact list");
    }

    @Test
    void aDeletedAccountLeavesEveryListItWasOn() {
        String gone = "del" + UUID.randomUUID().toString().substring(0, 8);
        assertStatus(TestHttp.postJson(port, "/api/v1/auth/register", "{\"userId\":\"" + gone
                + "\",\"password\":\"leaving-4242\"}"), 201);
        String friend = user();
        String asked = user();
        String asker = user();
        befriend(gone, friend);
        assertStatus(request(gone, asked, null), 201);
        assertStatus(request(asker, gone, null), 201);
        assertStatus(call("PUT", "/api/v1/blocks/" + asker, null, gone), 204);
        assertStatus(request(gone, asker, null), 409);
        long friendBefore = version(friend);

        assertStatus(call("DELETE", "/api/v1/users/me", "{\"password\":\"leaving-4242\"}", gone), 204);
        assertThat(contactStored(friend, gone)).isFalse();
        assertThat(contactStored(gone, friend)).isFalse();
        assertThat(requestStored(gone, asked)).isFalse();
        assertThat(changesSince(friend, friendBefore)).containsExactly("removed:" + gone);
        assertThat(changesSince(asked, 1)).containsExactly("cancelled:" + gone);
        assertThat(storedChanges(gone)).isEmpty();
        assertThat(db().getCollection(StoreSchema.BLOCKS)
                .countDocuments(Filters.eq("blocker", gone))).isZero();
        assertProblem(request(friend, gone, null), 404, "No such user");
    }

    @Test
    void aContactsOnlyGroupAddsSettingAdmitsContactsAndInvitesEveryoneElse() {
        String pia = user();
        String contact = user();
        String stranger = user();
        assertStatus(call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"contacts\"}", pia), 200);
        befriend(contact, pia);
        TestHttp.Response byContact = call("POST", "/api/v1/groups", "{\"name\":\"Friends\",\"members\":[\"" + pia
                + "\"]}", contact);
        assertStatus(byContact, 201);
        assertThat(byContact.json().get("added").toString()).contains(pia);
        TestHttp.Response byStranger = call("POST", "/api/v1/groups", "{\"name\":\"Spam\",\"members\":[\"" + pia
                + "\"]}", stranger);
        assertStatus(byStranger, 201);
        assertThat(byStranger.json().get("added").toString()).doesNotContain(pia);
        assertThat(byStranger.json().get("invited").toString()).contains(pia);
        // no longer contacts: invited like anyone else
        assertStatus(call("DELETE", "/api/v1/contacts/" + contact, null, pia), 204);
        TestHttp.Response afterRemoval = call("POST", "/api/v1/groups", "{\"name\":\"Again\",\"members\":[\"" + pia
                + "\"]}", contact);
        assertThat(afterRemoval.json().get("invited").toString()).contains(pia);
    }

    @Test
    void concurrentChangesOfOneListGetDistinctVersionsWithoutGaps() throws Exception {
        String star = user();
        int askers = 8;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < askers; i++) {
            ids.add(user());
        }
        ExecutorService pool = Executors.newFixedThreadPool(askers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (String asker : ids) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return request(asker, star, null).status();
                }));
            }
            start.countDown();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(storedChanges(star)).extracting(d -> ((Number) d.get("version")).longValue())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(changesSince(star, 0)).hasSize(askers).allMatch(c -> c.startsWith("request_received:"));
        assertThat(version(star)).isEqualTo(askers);
    }
}
