package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may add whom: users who do not let the actor add them ({@code groupAdds} {@code nobody}, or
 * {@code contacts} without being one) are invited instead of added — on creation and on additions — their
 * devices are not subscribed, and they join only by accepting. {@code everyone} (the default) is unchanged.
 */
class GroupConsentEndToEndTest extends GroupsApiTestBase {

    private void setGroupAdds(String user, String value) {
        assertStatus(call("PATCH", "/api/v1/users/me/settings", "{\"groupAdds\":\"" + value + "\"}", user), 200);
    }

    private static List<String> texts(JsonNode array) {
        return array == null ? null : java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText).toList();
    }

    @Test
    void aNobodyUserIsInvitedNotAddedOnCreationAndJoinsByAccepting() {
        List<String> u = users(3);
        String owner = u.get(0);
        String open = u.get(1);
        String shy = u.get(2);
        setGroupAdds(shy, "nobody");

        TestHttp.Response created = call("POST", "/api/v1/groups",
                "{\"name\":\"Team\",\"members\":" + json(List.of(open, shy)) + "}", owner);
        assertStatus(created, 201);
        String g = created.json().get("groupId").asText();
        assertThat(texts(created.json().get("added"))).containsExactly(open);
        assertThat(texts(created.json().get("invited"))).containsExactly(shy);
        assertThat(created.json().get("memberCount").asInt()).isEqualTo(2);
        assertThat(created.json().get("role").asText()).as("the group view is still there").isEqualTo("owner");

        assertThat(member(g, shy)).isNull();
        Document createdEvent = lastEvent(g, "created");
        assertThat(body(createdEvent).getList("members", String.class)).containsExactly(owner, open);
        // the broker subscribes the devices of the members only: no group message reaches the invitee
        BusMessage.GroupChange announced = assertAnnounced(g, createdEvent, List.of(owner, open), List.of());
        assertThat(announced.subscribe()).doesNotContain(shy);
        assertProblem(call("GET", "/api/v1/groups/" + g, null, shy), 403, "not a member");
        JsonNode notice = awaitNotices(shy, "group_invitation", 1).get(0);
        assertThat(notice.get("groupId").asText()).isEqualTo(g);
        assertThat(notice.get("by").asText()).isEqualTo(owner);

        TestHttp.Response accepted = call("POST", "/api/v1/invitations/" + g + "/accept", null, shy);
        assertStatus(accepted, 201);
        assertThat(accepted.json().get("memberCount").asInt()).isEqualTo(3);
        Document joined = lastEvent(g, "member_joined");
        assertThat(body(joined).getString("via")).isEqualTo("invitation");
        assertAnnounced(g, joined, List.of(shy), List.of());
    }

    @Test
    void additionsAddWhomTheSettingsAdmitAndInviteTheRest() {
        List<String> u = users(5);
        String owner = u.get(0);
        String everyone = u.get(1);
        String nobody = u.get(2);
        String contactsOnly = u.get(3);
        String asked = u.get(4);
        setGroupAdds(nobody, "nobody");
        setGroupAdds(contactsOnly, "contacts");
        setGroupAdds(asked, "nobody");
        String g = create(owner, List.of(), "");
        // asking to join is consent: an admin adding the requester is as good as approving the request
        assertStatus(call("POST", "/api/v1/groups/" + g + "/join-requests", null, asked), 202);

        TestHttp.Response r = call("POST", "/api/v1/groups/" + g + "/members",
                "{\"userIds\":" + json(List.of(everyone, nobody, contactsOnly, asked)) + "}", owner);
        assertStatus(r, 201);
        assertThat(r.json()).hasSize(4);
        JsonNode first = r.json().get(0);
        assertThat(first.get("userId").asText()).isEqualTo(everyone);
        assertThat(first.get("status").asText()).isEqualTo("added");
        assertThat(first.get("role").asText()).isEqualTo("member");
        assertThat(first.get("joinedAt").asText()).isNotEmpty();
        assertThat(first.has("invitedBy")).isFalse();
        assertThat(r.json().get(1).get("userId").asText()).isEqualTo(asked);
        assertThat(r.json().get(1).get("status").asText()).isEqualTo("added");
        for (JsonNode invited : List.of(r.json().get(2), r.json().get(3))) {
            assertThat(invited.get("status").asText()).isEqualTo("invited");
            assertThat(invited.get("role").isNull()).isTrue();
            assertThat(invited.get("invitedBy").asText()).isEqualTo(owner);
            assertThat(invited.get("invitedAt").asText()).isNotEmpty();
        }
        assertThat(List.of(r.json().get(2).get("userId").asText(), r.json().get(3).get("userId").asText()))
                .containsExactly(nobody, contactsOnly);

        Document added = lastEvent(g, "members_added");
        assertThat(body(added).getList("users", String.class)).containsExactly(everyone, asked);
        assertAnnounced(g, added, List.of(everyone, asked), List.of());
        assertThat(member(g, nobody)).isNull();
        assertThat(member(g, contactsOnly)).as("contacts do not exist yet: nobody is one").isNull();
        assertThat(db().getCollection(StoreSchema.GROUP_JOIN_REQUESTS)
                .countDocuments(new Document(StoreSchema.GroupPending.GROUP_ID, g))).isZero();
        awaitNotices(nobody, "group_invitation", 1);
        awaitNotices(contactsOnly, "group_invitation", 1);
        assertThat(notices(everyone, "group_invitation")).isEmpty();

        // adding the invitees again changes nothing: their invitations stand, nothing is sent twice
        TestHttp.Response again = call("POST", "/api/v1/groups/" + g + "/members",
                "{\"userIds\":" + json(List.of(nobody)) + "}", owner);
        assertStatus(again, 201);
        assertThat(again.json().get(0).get("status").asText()).isEqualTo("invited");
        assertThat(again.json().get(0).get("invitedAt").asText()).isEqualTo(r.json().get(2).get("invitedAt").asText());
        assertThat(notices(nobody, "group_invitation")).hasSize(1);
        assertThat(eventNames(g)).containsExactly("created", "members_added");
    }

    @Test
    void aContactsUserIsAddedDirectlyByTheirContactsOnly() {
        List<String> u = users(3);
        String owner = u.get(0);
        String stranger = u.get(1);
        String picky = u.get(2);
        setGroupAdds(picky, "contacts");
        // what the contacts feature will write: picky has owner among her contacts
        db().getCollection(StoreSchema.CONTACTS).insertOne(new Document("_id", picky + "|" + owner));
        String g = create(owner, List.of(picky), "");
        assertThat(member(g, picky)).as("a contact adds her directly").isNotNull();

        String g2 = create(stranger, List.of(), "");
        TestHttp.Response r = call("POST", "/api/v1/groups/" + g2 + "/members", "{\"userIds\":" + json(List.of(picky)) + "}",
                stranger);
        assertStatus(r, 201);
        assertThat(r.json().get(0).get("status").asText()).isEqualTo("invited");
        assertThat(member(g2, picky)).isNull();
    }

    @Test
    void everyoneIsTheDefaultAndAddsDirectly() {
        List<String> u = users(2);
        TestHttp.Response created = call("POST", "/api/v1/groups",
                "{\"name\":\"Team\",\"members\":" + json(List.of(u.get(1))) + "}", u.get(0));
        assertStatus(created, 201);
        assertThat(texts(created.json().get("added"))).containsExactly(u.get(1));
        assertThat(texts(created.json().get("invited"))).isEmpty();
        assertThat(member(created.json().get("groupId").asText(), u.get(1))).isNotNull();
    }

    @Test
    void theSettingsAndTheNewResponseFieldsAreInTheOpenApiDocument() {
        JsonNode docs = TestHttp.get(port, "/v3/api-docs", null).json();
        assertThat(docs.path("paths").has("/api/v1/users/me/settings")).isTrue();
        assertThat(docs.path("paths").path("/api/v1/users/me/settings").has("patch")).isTrue();
        JsonNode schemas = docs.path("components").path("schemas");
        assertThat(schemas.path("SettingsView").path("properties").path("groupAdds").path("enum").toString())
                .contains("everyone", "contacts", "nobody");
        // the created group keeps the group's fields (unwrapped) and adds who was added or invited
        assertThat(schemas.path("CreatedGroupView").path("properties").has("groupId")).isTrue();
        assertThat(schemas.path("CreatedGroupView").path("properties").has("invited")).isTrue();
        assertThat(schemas.path("AdditionView").path("properties").has("status")).isTrue();
    }
}
