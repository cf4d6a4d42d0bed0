package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.common.protocol.Ids;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.ArrayList;
import java.util.List;

import static io.mqchat.api.TestSupport.assertProblem;
import static io.mqchat.web.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Group management over real HTTP against an in-process MongoDB, with a small maximum group size. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class GroupsEndToEndTest {

    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("groups-e2e");
    private static final int MAX_SIZE = 5;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
        registry.add("mqchat.groups.max-size", () -> String.valueOf(MAX_SIZE));
    }

    @LocalServerPort
    int port;

    /** Registered users (inserted directly: the password plays no part here). */
    private static List<String> users(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(MONGO.user("u"));
        }
        return ids;
    }

    private TestHttp.Response call(String method, String path, String body, String user) {
        return TestSupport.callAs(port, "phone", method, path, body, user);
    }

    private static String json(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }

    private String create(String owner, List<String> members) {
        TestHttp.Response r = call("POST", "/api/v1/groups",
                "{\"name\":\"Team\",\"description\":\"d\",\"members\":" + json(members) + "}", owner);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json().get("groupId").asText();
    }

    @Test
    void createAndReadAsMemberAndNonMember() {
        List<String> u = users(3);
        TestHttp.Response created = call("POST", "/api/v1/groups",
                "{\"name\":\" Team \",\"avatarUrl\":\"https://x.example/a.png\",\"members\":" + json(u.subList(1, 2)) + "}",
                u.get(0));
        assertThat(created.status()).isEqualTo(201);
        String groupId = created.json().get("groupId").asText();
        assertThat(Ids.isValidGroupId(groupId)).isTrue();
        assertThat(created.header("Location")).isEqualTo("/api/v1/groups/" + groupId);
        assertThat(created.json().get("owner").asText()).isEqualTo(u.get(0));
        assertThat(created.json().get("name").asText()).isEqualTo("Team");
        assertThat(created.json().get("memberCount").asInt()).isEqualTo(2);

        TestHttp.Response asMember = call("GET", "/api/v1/groups/" + groupId, null, u.get(1));
        assertThat(asMember.status()).isEqualTo(200);
        assertThat(asMember.json().get("role").asText()).isEqualTo("member");
        assertThat(asMember.json().get("conversationId").asText()).isEqualTo("g:" + groupId);
        assertProblem(call("GET", "/api/v1/groups/" + groupId, null, u.get(2)), 403, "not a member");
        assertProblem(call("GET", "/api/v1/groups/gnosuchgroup", null, u.get(2)), 404, "No such group");
        assertProblem(call("GET", "/api/v1/groups/a", null, u.get(2)), 404, "No such group");
        assertThat(send(port, "GET", "/api/v1/groups/" + groupId, null, null, null).status()).isEqualTo(401);

        JsonNode mine = call("GET", "/api/v1/groups", null, u.get(1)).json();
        assertThat(mine.get("items")).hasSize(1);
        assertThat(mine.get("items").get(0).get("groupId").asText()).isEqualTo(groupId);
        assertThat(call("GET", "/api/v1/groups", null, u.get(2)).json().get("items")).isEmpty();
    }

    @Test
    void createRefusesInvalidInputAndNamesUnknownUsers() {
        List<String> u = users(2);
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"T\",\"members\":[\"" + u.get(1)
                + "\",\"nobody-here\",\"ghost1\"]}", u.get(0)), 400, "ghost1, nobody-here");
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\" \",\"members\":[]}", u.get(0)), 400, "name");
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"T\",\"members\":[{\"$gt\":\"\"}]}", u.get(0)),
                400, "");
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"T\",\"members\":[\"a/b\"]}", u.get(0)), 400,
                "members must contain user ids");
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"T\",\"avatarUrl\":\"javascript:x\"}", u.get(0)),
                400, "avatarUrl");
        assertThat(call("GET", "/api/v1/groups", null, u.get(0)).json().get("items")).isEmpty();
    }

    @Test
    void membersAreAddedListedAndRemovedByAdminsOnly() {
        List<String> u = users(5);
        String owner = u.get(0);
        String g = create(owner, List.of(u.get(1)));
        String base = "/api/v1/groups/" + g + "/members";

        assertProblem(call("POST", base, "{\"userIds\":[\"" + u.get(2) + "\"]}", u.get(1)), 403, "Only admins");
        assertProblem(call("POST", base, "{\"userIds\":[\"" + u.get(1) + "\"]}", owner), 409, u.get(1));
        assertProblem(call("POST", base, "{\"userIds\":[\"ghost-user\"]}", owner), 400, "ghost-user");
        TestHttp.Response added = call("POST", base, "{\"userIds\":[\"" + u.get(2) + "\",\"" + u.get(3) + "\"]}", owner);
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.json()).hasSize(2);

        JsonNode page = call("GET", base + "?size=2", null, u.get(2)).json();
        assertThat(page.get("items")).hasSize(2);
        assertThat(page.get("hasMore").asBoolean()).isTrue();
        JsonNode all = call("GET", base, null, u.get(2)).json().get("items");
        assertThat(all).hasSize(4);
        for (JsonNode m : all) {
            assertThat(m.get("role").asText()).isEqualTo(m.get("userId").asText().equals(owner) ? "owner" : "member");
        }
        assertProblem(call("GET", base, null, u.get(4)), 403, "not a member");
        assertProblem(call("GET", base + "?size=0", null, u.get(2)), 400, "size");

        // a plain member cannot remove others; an admin can remove members but not admins or the owner
        assertProblem(call("DELETE", base + "/" + u.get(2), null, u.get(1)), 403, "Only admins");
        assertThat(call("PUT", base + "/" + u.get(1) + "/role", "{\"role\":\"admin\"}", owner).status()).isEqualTo(200);
        assertThat(call("DELETE", base + "/" + u.get(2), null, u.get(1)).status()).isEqualTo(204);
        assertProblem(call("DELETE", base + "/" + owner, null, u.get(1)), 403, "owner cannot be removed");
        assertProblem(call("DELETE", base + "/" + u.get(4), null, u.get(1)), 404, "No such member");
        assertProblem(call("GET", "/api/v1/groups/" + g, null, u.get(2)), 403, "not a member");
        assertThat(call("GET", "/api/v1/groups/" + g, null, owner).json().get("memberCount").asInt()).isEqualTo(3);
    }

    @Test
    void rolesAreTheOwnersAndOnlyAdminsEditTheProfile() {
        List<String> u = users(3);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3));
        String base = "/api/v1/groups/" + g;

        assertProblem(call("PATCH", base, "{\"name\":\"New\"}", u.get(1)), 403, "Only admins");
        assertProblem(call("PUT", base + "/members/" + u.get(2) + "/role", "{\"role\":\"admin\"}", u.get(1)), 403,
                "Only the owner");
        assertProblem(call("PUT", base + "/members/" + u.get(1) + "/role", "{\"role\":\"owner\"}", owner), 400, "role");
        assertProblem(call("PUT", base + "/members/" + owner + "/role", "{\"role\":\"member\"}", owner), 409, "owner");
        TestHttp.Response promoted = call("PUT", base + "/members/" + u.get(1) + "/role", "{\"role\":\"admin\"}", owner);
        assertThat(promoted.json().get("role").asText()).isEqualTo("admin");

        TestHttp.Response edited = call("PATCH", base, "{\"name\":\"New\",\"description\":\"\"}", u.get(1));
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.json().get("name").asText()).isEqualTo("New");
        assertThat(edited.json().get("description").isNull()).isTrue();
        // admins cannot change roles or dissolve
        assertProblem(call("PUT", base + "/members/" + u.get(2) + "/role", "{\"role\":\"admin\"}", u.get(1)), 403,
                "Only the owner");
        assertProblem(call("DELETE", base, null, u.get(1)), 403, "Only the owner");
        // demoted again: no longer allowed to edit
        call("PUT", base + "/members/" + u.get(1) + "/role", "{\"role\":\"member\"}", owner);
        assertProblem(call("PATCH", base, "{\"name\":\"Other\"}", u.get(1)), 403, "Only admins");
    }

    @Test
    void ownershipTransferLeaveAndDissolve() {
        List<String> u = users(3);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3));
        String base = "/api/v1/groups/" + g;

        assertProblem(call("DELETE", base + "/members/" + owner, null, owner), 409, "transfer ownership first");
        assertProblem(call("POST", base + "/owner", "{\"userId\":\"" + u.get(2) + "\"}", u.get(1)), 403, "Only the owner");
        assertProblem(call("POST", base + "/owner", "{\"userId\":\"stranger\"}", owner), 400, "must be a member");
        TestHttp.Response transferred = call("POST", base + "/owner", "{\"userId\":\"" + u.get(1) + "\"}", owner);
        assertThat(transferred.status()).isEqualTo(200);
        assertThat(transferred.json().get("owner").asText()).isEqualTo(u.get(1));
        assertThat(transferred.json().get("role").asText()).isEqualTo("admin");

        // the former owner can now leave; a member can leave
        assertThat(call("DELETE", base + "/members/" + owner, null, owner).status()).isEqualTo(204);
        assertThat(call("DELETE", base + "/members/" + u.get(2), null, u.get(2)).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/groups", null, u.get(2)).json().get("items")).isEmpty();
        assertThat(call("GET", base, null, u.get(1)).json().get("memberCount").asInt()).isEqualTo(1);

        assertThat(call("DELETE", base, null, u.get(1)).status()).isEqualTo(204);
        assertProblem(call("GET", base, null, u.get(1)), 404, "No such group");
        assertThat(call("GET", "/api/v1/groups", null, u.get(1)).json().get("items")).isEmpty();
    }

    @Test
    void theMaximumGroupSizeHolds() {
        List<String> u = users(MAX_SIZE + 1);
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"Big\",\"members\":" + json(u.subList(1, MAX_SIZE + 1))
                + "}", u.get(0)), 409, "at most " + MAX_SIZE);
        String g = create(u.get(0), u.subList(1, MAX_SIZE - 1));
        String base = "/api/v1/groups/" + g + "/members";
        assertProblem(call("POST", base, "{\"userIds\":" + json(u.subList(MAX_SIZE - 1, MAX_SIZE + 1)) + "}", u.get(0)),
                409, "at most " + MAX_SIZE);
        assertThat(call("POST", base, "{\"userIds\":[\"" + u.get(MAX_SIZE - 1) + "\"]}", u.get(0)).status()).isEqualTo(201);
        assertProblem(call("POST", base, "{\"userIds\":[\"" + u.get(MAX_SIZE) + "\"]}", u.get(0)), 409, "at most");
        // leaving frees a seat
        assertThat(call("DELETE", base + "/" + u.get(1), null, u.get(1)).status()).isEqualTo(204);
        assertThat(call("POST", base, "{\"userIds\":[\"" + u.get(MAX_SIZE) + "\"]}", u.get(0)).status()).isEqualTo(201);
    }
}
