package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestClientTest {

    private final RestClient rest = new RestClient();

    @Test
    void registerPostsTheCredentials() throws Exception {
        try (FakeServer server = new FakeServer(r -> new FakeServer.Answer(201, "application/json", "{\"userId\":\"alice\"}"))) {
            rest.register(server.uri(), "alice", "s3cret-pw");

            FakeServer.Request request = server.requests.get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.pathAndQuery()).isEqualTo("/api/v1/auth/register");
            assertThat(request.contentType()).isEqualTo("application/json");
            JsonNode body = Json.MAPPER.readTree(request.body());
            assertThat(body.get("userId").asText()).isEqualTo("alice");
            assertThat(body.get("password").asText()).isEqualTo("s3cret-pw");
        }
    }

    @Test
    void loginReturnsTokenClientIdAndExpiry() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.json(200,
                "{\"token\":\"tok.en.jwt\",\"clientId\":\"alice:phone\",\"expiresAt\":\"2030-01-02T03:04:05Z\"}"))) {
            RestClient.Login login = rest.login(server.uri(), "alice", "pw", "phone");

            assertThat(login).isEqualTo(new RestClient.Login("tok.en.jwt", "alice:phone",
                    Instant.parse("2030-01-02T03:04:05Z")));
            JsonNode body = Json.MAPPER.readTree(server.requests.get(0).body());
            assertThat(body.get("deviceType").asText()).isEqualTo("phone");
            assertThat(server.requests.get(0).pathAndQuery()).isEqualTo("/api/v1/auth/login");
        }
    }

    @Test
    void problemDetailsBecomeApiExceptions() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.problem(401, "Unauthorized",
                "wrong user id or password"))) {
            assertThatThrownBy(() -> rest.login(server.uri(), "alice", "nope", "phone"))
                    .isInstanceOfSatisfying(ProblemResponse.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.title()).isEqualTo("Unauthorized");
                        assertThat(e.detail()).isEqualTo("wrong user id or password");
                        assertThat(e.getMessage()).isEqualTo("Unauthorized: wrong user id or password (HTTP 401)");
                    });
        }
    }

    @Test
    void conflictOnRegisterIsReported() throws Exception {
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.problem(409, "Conflict",
                "user alice already exists"))) {
            assertThatThrownBy(() -> rest.register(server.uri(), "alice", "pw"))
                    .isInstanceOf(ProblemResponse.class)
                    .hasMessageContaining("already exists").hasMessageContaining("409");
        }
    }

    @Test
    void nonJsonErrorsStillGiveAReadableMessage() throws Exception {
        try (FakeServer server = new FakeServer(r -> new FakeServer.Answer(502, "text/plain", "Bad Gateway from proxy"))) {
            assertThatThrownBy(() -> rest.login(server.uri(), "alice", "pw", "phone"))
                    .isInstanceOfSatisfying(ProblemResponse.class, e -> {
                        assertThat(e.status()).isEqualTo(502);
                        assertThat(e.getMessage()).contains("Bad Gateway from proxy");
                    });
        }
    }

    @Test
    void historySendsTheBearerTokenAndParsesMessages() throws Exception {
        String page = """
                {"conv":"d:alice:bob","hasMore":true,"messages":[
                 {"id":"m1","conv":"d:alice:bob","seq":4,"from":"bob","to":"alice","ts":1,"dev":"phone","cid":"c1","type":"text","body":"hi"},
                 {"id":"m2","conv":"d:alice:bob","seq":6,"from":"alice","to":"bob","ts":2,"dev":"desktop","cid":"c2","type":"text","body":"yo"}]}
                """;
        try (FakeServer server = new FakeServer(r -> FakeServer.Answer.json(200, page))) {
            RestClient.HistoryPage result = rest.history(URI.create(server.uri() + "/"), "tok", "d:alice:bob", 3, 50);

            FakeServer.Request request = server.requests.get(0);
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.pathAndQuery()).isEqualTo("/api/v1/conversations/d:alice:bob/messages?afterSeq=3&limit=50");
            assertThat(request.authorization()).isEqualTo("Bearer tok");
            assertThat(result.conv()).isEqualTo("d:alice:bob");
            assertThat(result.hasMore()).isTrue();
            assertThat(result.messages()).extracting(m -> m.seq()).containsExactly(4L, 6L);
            assertThat(result.messages().get(1).body().asText()).isEqualTo("yo");
        }
    }

    @Test
    void refusesSomethingThatIsNotAConversationId() {
        assertThatThrownBy(() -> rest.history(URI.create("http://127.0.0.1:1"), "t", "../admin", 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void baseUrlsMayHaveAPath() {
        assertThat(RestClient.resolve(URI.create("http://h:1/chat/"), "/api/v1/x"))
                .isEqualTo(URI.create("http://h:1/chat/api/v1/x"));
        assertThat(RestClient.resolve(URI.create("http://h:1"), "/api/v1/x")).isEqualTo(URI.create("http://h:1/api/v1/x"));
    }
}
