package io.mqchat.demo;

import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestClientGroupsTest {

    private final RestClient rest = new RestClient();

    private static final String TEAM = "{\"groupId\":\"g42\",\"conversationId\":\"g:g42\",\"name\":\"Team\","
            + "\"owner\":\"alice\",\"memberCount\":3,\"createdAt\":\"2030-01-01T00:00:00Z\",\"role\":\"owner\"}";

    @Test
    void createGroupPostsNameAndMembers() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.json(201, TEAM))) {
            RestClient.Group group = rest.createGroup(server.uri(), "tok", "Team", List.of("bob", "carol"));

            assertThat(group).isEqualTo(new RestClient.Group("g42", "g:g42", "Team", "alice", 3, "owner"));
            FakeServer.Request request = server.requests.get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.pathAndQuery()).isEqualTo("/api/v1/groups");
            assertThat(request.authorization()).isEqualTo("Bearer tok");
            assertThat(Json.MAPPER.readTree(request.body()).toString())
                    .isEqualTo("{\"name\":\"Team\",\"members\":[\"bob\",\"carol\"]}");
        }
    }

    @Test
    void myGroupsReadsEveryPage() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.json(200, r.pathAndQuery().contains("page=0")
                ? "{\"items\":[" + TEAM + "],\"page\":0,\"size\":100,\"hasMore\":true}"
                : "{\"items\":[{\"groupId\":\"g43\",\"name\":\"Pals\",\"memberCount\":2,\"role\":\"member\"}],"
                + "\"page\":1,\"size\":100,\"hasMore\":false}"))) {
            List<RestClient.Group> groups = rest.myGroups(server.uri(), "tok");

            assertThat(groups).extracting(RestClient.Group::groupId).containsExactly("g42", "g43");
            assertThat(groups.get(1).conv()).isEqualTo("g:g43");      // derived when the server leaves it out
            assertThat(server.requests).extracting(FakeServer.Request::pathAndQuery)
                    .containsExactly("/api/v1/groups?page=0&size=100", "/api/v1/groups?page=1&size=100");
        }
    }

    @Test
    void addAndRemoveMembers() throws Exception {
        try (FakeServer server = new FakeServer(r -> r.method().equals("DELETE") ? new FakeServer.Answer(204, null, null)
                : FakeServer.Answer.json(201, "[{\"userId\":\"dave\",\"role\":\"member\"}]"))) {
            rest.addMembers(server.uri(), "tok", "g42", List.of("dave"));
            rest.removeMember(server.uri(), "tok", "g42", "bob");

            FakeServer.Request add = server.requests.get(0);
            assertThat(add.method()).isEqualTo("POST");
            assertThat(add.pathAndQuery()).isEqualTo("/api/v1/groups/g42/members");
            assertThat(Json.MAPPER.readTree(add.body()).toString()).isEqualTo("{\"userIds\":[\"dave\"]}");
            FakeServer.Request remove = server.requests.get(1);
            assertThat(remove.method()).isEqualTo("DELETE");
            assertThat(remove.pathAndQuery()).isEqualTo("/api/v1/groups/g42/members/bob");
            assertThat(remove.authorization()).isEqualTo("Bearer tok");
        }
    }

    @Test
    void refusalsAreApiExceptionsAndBadIdsNeverLeave() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.problem(403, "Forbidden",
                "only admins and the owner may add members"))) {
            assertThatThrownBy(() -> rest.addMembers(server.uri(), "tok", "g42", List.of("dave")))
                    .isInstanceOfSatisfying(ProblemResponse.class, e -> assertThat(e.status()).isEqualTo(403));
            assertThatThrownBy(() -> rest.removeMember(server.uri(), "tok", "../x", "bob"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> rest.removeMember(server.uri(), "tok", "g42", "b/ob"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void conversationsToleratesMissingOrPresentGroupFields() throws Exception {
        String list = """
                {"conversations":[
                 {"conv":"g:g42","type":"group","groupId":"g42","lastSeq":9,"lastTs":5,
                  "last":{"id":"x","from":"bob","type":"text","text":"hi @alice"},"readSeq":6,"unread":3,"mentioned":true},
                 {"conv":"g:g43","lastSeq":2,"lastTs":4,"last":{"id":"y","from":"carol","type":"event","text":null},
                  "readSeq":2,"unread":0},
                 {"conv":"d:alice:bob","peer":"bob","lastSeq":4,"lastTs":3,"last":{"id":"z","from":"bob","text":"yo"},
                  "readSeq":4,"unread":0,"peerReadSeq":4}],
                 "cursor":null,"hasMore":false}
                """;
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.json(200, list))) {
            List<RestClient.Conversation> conversations = rest.conversations(server.uri(), "tok", 20);

            RestClient.Conversation team = conversations.get(0);
            assertThat(team.isGroup()).isTrue();
            assertThat(team.groupId()).isEqualTo("g42");
            assertThat(team.mentioned()).isTrue();
            assertThat(team.unread()).isEqualTo(3);
            RestClient.Conversation pals = conversations.get(1);     // older server: no type/groupId/mentioned
            assertThat(pals.type()).isEqualTo("group");
            assertThat(pals.groupId()).isEqualTo("g43");
            assertThat(pals.mentioned()).isFalse();
            assertThat(pals.lastText()).isNull();
            RestClient.Conversation bob = conversations.get(2);
            assertThat(bob.isGroup()).isFalse();
            assertThat(bob.type()).isEqualTo("direct");
            assertThat(bob.peer()).isEqualTo("bob");
        }
    }

    @Test
    void theDirectConversationConstructorDerivesTheGroupFields() {
        assertThat(new RestClient.Conversation("g:g42", null, 1, 1, "a", "t", 0, 1, 0).groupId()).isEqualTo("g42");
        assertThat(new RestClient.Conversation("d:a:b", "b", 1, 1, "a", "t", 0, 1, 0).type()).isEqualTo("direct");
    }

    @Test
    void groupIdsOnlyWithUrlSafeCharacters() {
        assertThatThrownBy(() -> rest.addMembers(URI.create("http://127.0.0.1:1"), "t", "a b", List.of("bob")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
