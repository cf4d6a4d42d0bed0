package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * ChatClient without a broker: login over REST, write-ahead of sends, what survives a close. The
 * end-to-end behaviour against a real broker is tested in chat-standalone.
 */
class ChatClientOfflineTest {

    @TempDir
    Path stateDir;

    private FakeServer api;

    @BeforeEach
    void startApi() throws IOException {
        api = new FakeServer(r -> r.pathAndQuery().equals("/api/v1/auth/login")
                ? FakeServer.Answer.json(200,
                "{\"token\":\"t0k3n\",\"clientId\":\"alice:phone\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}")
                : r.pathAndQuery().startsWith("/api/v1/conversations")
                ? FakeServer.Answer.problem(401, "Unauthorized", "this device was logged out")
                : FakeServer.Answer.problem(404, "Not Found", "no such endpoint"));
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    @Test
    void loginKeepsTheSessionDetails() throws Exception {
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            assertThat(client.user()).isEqualTo("alice");
            assertThat(client.device()).isEqualTo("phone");
            assertThat(client.clientId()).isEqualTo("alice:phone");
            assertThat(client.token()).isEqualTo("t0k3n");
            assertThat(client.conversationWith("bob")).isEqualTo("d:alice:bob");
            assertThat(client.conversationWith("aaron")).isEqualTo("d:aaron:alice");
            assertThat(client.isConnected()).isFalse();
        }
    }

    @Test
    void invalidIdsAreRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> ChatClient.login(api.uri(), "a/b", "pw", "phone", stateDir))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatClient.login(api.uri(), "alice", "pw", "Phone!", stateDir))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aSendIsWrittenAheadAndSurvivesClosing() throws Exception {
        CompletableFuture<ChatMessage> sent;
        String cid;
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            sent = client.send("bob", "hello while offline");
            // not connected: the message waits in the state file
            await().until(() -> client.state().unacked().size() == 1);
            LocalState.Pending pending = client.state().unacked().get(0);
            cid = pending.cid();
            assertThat(cid).startsWith("phone-");
            assertThat(pending.peer()).isEqualTo("bob");
            assertThat(sent).isNotDone();

            // the state file already has it, before anything was published
            LocalState onDisk = LocalState.load(LocalState.fileFor(stateDir, "alice", "phone"));
            assertThat(onDisk.unacked()).extracting(LocalState.Pending::cid).containsExactly(cid);
        }
        // closing fails the waiting future but keeps the message for the next run
        assertThatThrownBy(sent::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("re-sent with the same cid");

        try (ChatClient again = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            assertThat(again.state().unacked()).extracting(LocalState.Pending::cid).containsExactly(cid);
        }
    }

    @Test
    void sendToAnInvalidUserFailsAtOnce() throws Exception {
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            assertThatThrownBy(() -> client.send("no/such user", "x").get())
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(client.state().unacked()).isEmpty();
        }
    }

    @Test
    void connectingToNoBrokerFailsWithAnIOException() throws Exception {
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            assertThatThrownBy(() -> client.connect(URI.create("tcp://127.0.0.1:1"), false))
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot connect");
        }
    }

    @Test
    void historyNeedsTheHistoryUrl() throws Exception {
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)) {
            assertThatThrownBy(() -> client.history("bob", 0, 10)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aRest401MeansLoggedOutAndIsReportedOnce() throws Exception {
        java.util.List<String> loggedOut = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ChatClient client = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir)
                .withHistory(api.uri()).onLoggedOut(loggedOut::add)) {
            assertThatThrownBy(client::conversations).isInstanceOf(LoggedOutException.class)
                    .hasMessageContaining("log in again");
            assertThatThrownBy(() -> client.markRead("d:alice:bob")).isInstanceOf(LoggedOutException.class);
            await().until(() -> client.loggedOutReason() != null);
            assertThat(loggedOut).hasSize(1);
        }
    }

    @Test
    void theWirePayloadIsJustCidTypeAndBody() throws Exception {
        byte[] payload = Outbox.payload(new LocalState.Pending("phone-1", "bob", "text", TextNode.valueOf("hi"), 5));
        JsonNode json = Json.MAPPER.readTree(payload);
        assertThat(json.toString()).isEqualTo("{\"cid\":\"phone-1\",\"type\":\"text\",\"body\":\"hi\"}");
    }
}
