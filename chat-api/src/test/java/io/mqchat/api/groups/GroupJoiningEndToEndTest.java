package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Invitations and join requests: the join policy, who may invite or approve, the size limit, the events. */
class GroupJoiningEndToEndTest extends GroupsApiTestBase {

    @Test
    void anAcceptedInvitationJoinsFromItsEvent() {
        List<String> u = users(3);
        String g = create(u.get(0), u.subList(1, 2), "");
        String invite = "{\"userIds\":[\"" + u.get(2) + "\"]}";

        // plain members may invite while membersInvite is on (the default)
        TestHttp.Response invited = call("POST", "/api/v1/groups/" + g + "/invitations", invite, u.get(1));
        assertStatus(invited, 201);
        assertThat(invited.json()).hasSize(1);
        assertThat(invited.json().get(0).get("userId").asText()).isEqualTo(u.get(2));
        assertThat(invited.json().get(0).get("by").asText()).isEqualTo(u.get(1));
        // inviting again changes nothing: the first invitation stands
        TestHttp.Response again = call("POST", "/api/v1/groups/" + g + "/invitations", invite, u.get(0));
        assertStatus(again, 201);
        assertThat(again.json().get(0).get("by").asText()).isEqualTo(u.get(1));
        assertThat(again.json().get(0).get("createdAt").asText()).isEqualTo(invited.json().get(0).get("createdAt").asText());
        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).hasSize(1);
        assertThat(eventNames(g)).containsExactly("created");
        // the invitee's devices are told once (not again for the repeated invitation)
        JsonNode notice = awaitNotices(u.get(2), "group_invitation", 1).get(0);
        assertThat(notice.get("groupId").asText()).isEqualTo(g);
        assertThat(notice.get("name").asText()).isEqualTo("Team");
        assertThat(notice.get("by").asText()).isEqualTo(u.get(1));
        assertThat(notices(u.get(2), "group_invitation")).hasSize(1);

        JsonNode mine = call("GET", "/api/v1/invitations", null, u.get(2)).json().get("items");
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).get("groupId").asText()).isEqualTo(g);
        assertThat(mine.get(0).get("groupName").asText()).isEqualTo("Team");
        assertThat(mine.get(0).get("by").asText()).isEqualTo(u.get(1));
        assertThat(mine.get(0).get("createdAt").asText()).isNotEmpty();

        TestHttp.Response accepted = call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(2));
        assertStatus(accepted, 201);
        assertThat(accepted.json().get("role").asText()).isEqualTo("member");
        assertThat(accepted.json().get("memberCount").asInt()).isEqualTo(3);
        Document joined = lastEvent(g, "member_joined");
        assertThat(joined.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(2));
        assertThat(body(joined).getString("user")).isEqualTo(u.get(2));
        assertThat(body(joined).getString("via")).isEqualTo("invitation");
        assertThat(fromSeq(g, u.get(2))).isEqualTo(seq(joined));
        assertAnnounced(g, joined, List.of(u.get(2)), List.of());
        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).isEmpty();
        assertThat(call("GET", "/api/v1/invitations", null, u.get(2)).json().get("items")).isEmpty();
        assertProblem(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(2)), 404, "no pending invitation");
        assertSeqsStrictlyIncrease(g);
    }

    @Test
    void invitationRefusalsAndDeclining() {
        List<String> u = users(5);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3), "\"membersInvite\":false");
        String path = "/api/v1/groups/" + g + "/invitations";
        assertProblem(call("POST", path, "{\"userIds\":[\"" + u.get(3) + "\"]}", u.get(1)), 403,
                "Only admins and the owner can invite");
        assertProblem(call("POST", path, "{\"userIds\":[\"" + u.get(3) + "\"]}", u.get(4)), 403, "not a member");
        assertProblem(call("POST", path, "{\"userIds\":[\"" + u.get(2) + "\",\"" + u.get(3) + "\"]}", owner), 409,
                u.get(2));
        assertProblem(call("POST", path, "{\"userIds\":[\"ghost-user\"]}", owner), 400, "ghost-user");
        assertProblem(call("POST", path, "{\"userIds\":[\"a/b\"]}", owner), 400, "user ids");
        assertProblem(call("POST", path, "{\"userIds\":[]}", owner), 400, "at least one");
        assertProblem(call("POST", "/api/v1/groups/gnosuchgroup1/invitations", "{\"userIds\":[\"" + u.get(3) + "\"]}",
                owner), 404, "No such group");
        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).isEmpty();

        assertProblem(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(3)), 404,
                "no pending invitation");
        assertProblem(call("POST", "/api/v1/invitations/a/accept", null, u.get(3)), 404, "no pending invitation");
        assertStatus(call("POST", path, "{\"userIds\":[\"" + u.get(3) + "\"]}", owner), 201);
        assertStatus(call("DELETE", "/api/v1/invitations/" + g, null, u.get(3)), 204);
        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).isEmpty();
        assertProblem(call("DELETE", "/api/v1/invitations/" + g, null, u.get(3)), 404, "no pending invitation");
        assertProblem(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(3)), 404, "no pending invitation");
        assertThat(member(g, u.get(3))).isNull();
        assertThat(eventNames(g)).containsExactly("created");
        assertThat(busFor(g)).hasSize(1);
    }

    @Test
    void acceptingRespectsTheMaximumSize() {
        List<String> u = users(MAX_SIZE + 1);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, MAX_SIZE - 1), "");
        assertStatus(call("POST", "/api/v1/groups/" + g + "/invitations",
                "{\"userIds\":" + json(u.subList(MAX_SIZE - 1, MAX_SIZE + 1)) + "}", owner), 201);
        assertStatus(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(MAX_SIZE - 1)), 201);
        int events = events(g).size();

        assertProblem(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(MAX_SIZE)), 409, "at most "
                + MAX_SIZE);
        assertThat(member(g, u.get(MAX_SIZE))).isNull();
        assertThat(events(g)).hasSize(events);
        assertThat(call("GET", "/api/v1/invitations", null, u.get(MAX_SIZE)).json().get("items")).hasSize(1);
        assertThat(call("GET", "/api/v1/groups/" + g, null, owner).json().get("memberCount").asInt()).isEqualTo(MAX_SIZE);

        // a seat frees up: the invitation still works
        assertStatus(call("DELETE", "/api/v1/groups/" + g + "/members/" + u.get(1), null, u.get(1)), 204);
        assertStatus(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(MAX_SIZE)), 201);
        assertThat(eventNames(g).subList(events, events(g).size())).containsExactly("member_left", "member_joined");
    }

    @Test
    void anOpenGroupIsJoinedAtOnce() {
        List<String> u = users(3);
        String g = create(u.get(0), List.of(), "\"joinPolicy\":\"open\",\"history\":\"all\"");
        String path = "/api/v1/groups/" + g + "/join-requests";

        TestHttp.Response joined = call("POST", path, null, u.get(1));
        assertStatus(joined, 201);
        assertThat(joined.header("Location")).isEqualTo("/api/v1/groups/" + g);
        assertThat(joined.json().get("role").asText()).isEqualTo("member");
        assertThat(joined.json().get("joinPolicy").asText()).isEqualTo("open");
        Document event = lastEvent(g, "member_joined");
        assertThat(body(event).getString("via")).isEqualTo("open");
        assertThat(event.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(1));
        assertThat(seq(event)).isGreaterThan(1);
        assertThat(fromSeq(g, u.get(1))).isEqualTo(1); // history=all
        assertAnnounced(g, event, List.of(u.get(1)), List.of());
        assertProblem(call("POST", path, null, u.get(1)), 409, "already a member");

        // since-join: the new member reads from the event announcing them
        assertStatus(call("PATCH", "/api/v1/groups/" + g, "{\"history\":\"since-join\"}", u.get(0)), 200);
        assertStatus(call("POST", path, null, u.get(2)), 201);
        assertThat(fromSeq(g, u.get(2))).isEqualTo(seq(lastEvent(g, "member_joined")));
        assertSeqsStrictlyIncrease(g);
    }

    @Test
    void requestsWaitForAnAdminWhoApprovesOrRejects() {
        List<String> u = users(6);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 2), "");
        String path = "/api/v1/groups/" + g + "/join-requests";

        TestHttp.Response requested = call("POST", path, null, u.get(2));
        assertStatus(requested, 202);
        assertThat(requested.json().get("userId").asText()).isEqualTo(u.get(2));
        assertStatus(call("POST", path, null, u.get(2)), 202);
        assertThat(pending(StoreSchema.GROUP_JOIN_REQUESTS, g)).hasSize(1);
        assertThat(member(g, u.get(2))).isNull();
        // the owner (who decides) is told once; a plain member is not
        JsonNode notice = awaitNotices(owner, "group_join_request", 1).get(0);
        assertThat(notice.get("groupId").asText()).isEqualTo(g);
        assertThat(notice.get("user").asText()).isEqualTo(u.get(2));
        assertThat(notices(owner, "group_join_request")).hasSize(1);
        assertThat(notices(u.get(1), "group_join_request")).isEmpty();
        // the same user also has an invitation: approving drops it too
        assertStatus(call("POST", "/api/v1/groups/" + g + "/invitations", "{\"userIds\":[\"" + u.get(2) + "\"]}",
                u.get(1)), 201);

        assertProblem(call("GET", path, null, u.get(1)), 403, "Only admins");
        assertProblem(call("GET", path, null, u.get(3)), 403, "not a member");
        JsonNode list = call("GET", path, null, owner).json();
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.get("items").get(0).get("userId").asText()).isEqualTo(u.get(2));
        assertThat(list.get("hasMore").asBoolean()).isFalse();

        assertProblem(call("POST", path + "/" + u.get(2) + "/approve", null, u.get(1)), 403, "Only admins");
        assertProblem(call("POST", path + "/" + u.get(3) + "/approve", null, owner), 404, "No such join request");
        TestHttp.Response approved = call("POST", path + "/" + u.get(2) + "/approve", null, owner);
        assertStatus(approved, 201);
        assertThat(approved.json().get("userId").asText()).isEqualTo(u.get(2));
        assertThat(approved.json().get("role").asText()).isEqualTo("member");
        Document joined = lastEvent(g, "member_joined");
        assertThat(joined.getString(StoreSchema.Message.FROM)).isEqualTo(owner);
        assertThat(body(joined).getString("via")).isEqualTo("request");
        assertThat(fromSeq(g, u.get(2))).isEqualTo(seq(joined));
        assertAnnounced(g, joined, List.of(u.get(2)), List.of());
        assertThat(pending(StoreSchema.GROUP_JOIN_REQUESTS, g)).isEmpty();
        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).isEmpty();
        assertProblem(call("POST", path + "/" + u.get(2) + "/approve", null, owner), 404, "No such join request");

        // rejected by an admin, withdrawn by the requester; others may do neither
        assertStatus(call("POST", path, null, u.get(3)), 202);
        assertStatus(call("POST", path, null, u.get(4)), 202);
        assertProblem(call("DELETE", path + "/" + u.get(3), null, u.get(4)), 403, "not a member");
        assertProblem(call("DELETE", path + "/" + u.get(3), null, u.get(1)), 403, "Only admins");
        assertStatus(call("DELETE", path + "/" + u.get(3), null, owner), 204);
        assertStatus(call("DELETE", path + "/" + u.get(4), null, u.get(4)), 204);
        assertProblem(call("DELETE", path + "/" + u.get(4), null, u.get(4)), 404, "No such join request");
        assertProblem(call("DELETE", path + "/" + u.get(5), null, owner), 404, "No such join request");
        assertThat(pending(StoreSchema.GROUP_JOIN_REQUESTS, g)).isEmpty();
        assertThat(eventNames(g)).containsExactly("created", "member_joined");
    }

    @Test
    void aClosedGroupIsJoinedByInvitationOnly() {
        List<String> u = users(3);
        String g = create(u.get(0), u.subList(1, 2), "\"joinPolicy\":\"closed\"");
        String path = "/api/v1/groups/" + g + "/join-requests";
        assertProblem(call("POST", path, null, u.get(2)), 403, "joined by invitation only");
        assertProblem(call("POST", path, null, u.get(1)), 409, "already a member");
        assertProblem(call("POST", "/api/v1/groups/gnosuchgroup1/join-requests", null, u.get(2)), 404, "No such group");
        assertThat(pending(StoreSchema.GROUP_JOIN_REQUESTS, g)).isEmpty();

        assertStatus(call("POST", "/api/v1/groups/" + g + "/invitations", "{\"userIds\":[\"" + u.get(2) + "\"]}",
                u.get(0)), 201);
        assertStatus(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(2)), 201);
        assertThat(eventNames(g)).containsExactly("created", "member_joined");
    }

    @Test
    void dissolvingDropsPendingInvitationsAndRequests() {
        List<String> u = users(3);
        String g = create(u.get(0), List.of(), "");
        assertStatus(call("POST", "/api/v1/groups/" + g + "/invitations", "{\"userIds\":[\"" + u.get(1) + "\"]}",
                u.get(0)), 201);
        assertStatus(call("POST", "/api/v1/groups/" + g + "/join-requests", null, u.get(2)), 202);
        assertStatus(call("DELETE", "/api/v1/groups/" + g, null, u.get(0)), 204);

        assertThat(pending(StoreSchema.GROUP_INVITATIONS, g)).isEmpty();
        assertThat(pending(StoreSchema.GROUP_JOIN_REQUESTS, g)).isEmpty();
        assertThat(call("GET", "/api/v1/invitations", null, u.get(1)).json().get("items")).isEmpty();
        assertProblem(call("POST", "/api/v1/invitations/" + g + "/accept", null, u.get(1)), 404, "no pending invitation");
        assertProblem(call("POST", "/api/v1/groups/" + g + "/join-requests", null, u.get(2)), 404, "No such group");
        assertAnnounced(g, lastEvent(g, "dissolved"), List.of(), List.of(u.get(0)));
    }

    @Test
    void theResourcesAreInTheOpenApiDocument() {
        String docs = TestHttp.get(port, "/v3/api-docs", null).raw().body();
        assertThat(docs).contains("/api/v1/groups/{groupId}/invitations", "/api/v1/invitations/{groupId}/accept",
                "/api/v1/groups/{groupId}/join-requests/{userId}/approve", "/api/v1/groups/{groupId}/members/{userId}/mute",
                "/api/v1/groups/{groupId}/mute", "joinPolicy", "mutedUntil");
    }

    private static List<Document> pending(String collection, String groupId) {
        return db().getCollection(collection).find(new Document(StoreSchema.GroupPending.GROUP_ID, groupId))
                .into(new java.util.ArrayList<>());
    }
}
