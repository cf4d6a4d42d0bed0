package io.mqchat.standalone;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.demo.ChatClient;
import io.mqchat.demo.RestClient;
import io.mqchat.demo.SendRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The reference client (client-demo's ChatClient) against the real one-process stack, MQTT 5 and 3.1.1. */
class ClientDemoEndToEndTest {

    private static final String PASSWORD = "secret-pass-123";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users(PASSWORD, "alice", "bob", "carol");
    private static final StackClient stackClient = STACK.client();

    @TempDir
    static Path stateDir;

    private static ChatClient client(String user, String device, boolean mqtt3, List<ChatMessage> received)
            throws Exception {
        ChatClient client = ChatClient.login(stackClient.apiUri(), user, PASSWORD, device, stateDir)
                .withHistory(stackClient.historyUri()).onMessage(received::add);
        client.connect(stackClient.mqttUri(), mqtt3);
        return client;
    }

    @Test
    void mqtt5AndMqtt311ClientsChatBothWays() throws Exception {
        List<ChatMessage> aliceGot = new CopyOnWriteArrayList<>();
        List<ChatMessage> bobGot = new CopyOnWriteArrayList<>();
        ChatClient alice = client("alice", "phone", false, aliceGot);
        ChatClient bob = client("bob", "desktop", true, bobGot);
        try {
            ChatMessage sent = alice.send("bob", "hello over MQTT 5").get(10, TimeUnit.SECONDS);
            assertThat(sent.conv()).hasToString("d:alice:bob");
            assertThat(sent.from()).isEqualTo("alice");
            await().atMost(Duration.ofSeconds(10)).until(() -> bobGot.stream().anyMatch(m -> m.id().equals(sent.id())));

            ChatMessage reply = bob.send("alice", "hello back over 3.1.1").get(10, TimeUnit.SECONDS);
            assertThat(reply.seq()).isEqualTo(sent.seq() + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> aliceGot.stream().anyMatch(m -> m.id().equals(reply.id())));
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    void refusalsReachTheCallerOnBothProtocolVersions() throws Exception {
        ChatClient alice = client("alice", "tablet", false, new CopyOnWriteArrayList<>());
        ChatClient bob = client("bob", "iot", true, new CopyOnWriteArrayList<>());
        try {
            for (ChatClient c : List.of(alice, bob)) {
                CompletableFuture<ChatMessage> refused = c.send("nobody", "anyone there?");
                assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(SendRefusedException.class,
                                e -> assertThat(e.code()).isEqualTo("unknown_recipient"));
            }
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    void aMessageWrittenWhileOfflineIsSentOnceAfterTheNextConnect() throws Exception {
        // carol writes while not connected: the message goes to her local state only
        ChatClient offline = ChatClient.login(stackClient.apiUri(), "carol", PASSWORD, "phone", stateDir);
        CompletableFuture<ChatMessage> pending = offline.send("alice", "written offline");
        offline.close();
        assertThat(pending).isCompletedExceptionally();

        List<ChatMessage> aliceGot = new CopyOnWriteArrayList<>();
        ChatClient alice = client("alice", "web", false, aliceGot);
        List<ChatMessage> carolGot = new CopyOnWriteArrayList<>();
        ChatClient carol = client("carol", "phone", false, carolGot); // same state dir: re-sends on connect
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aliceGot.stream().anyMatch(m -> m.body().asText().equals("written offline")));
            await().atMost(Duration.ofSeconds(10)).until(() -> carol.state().unacked().isEmpty());
            RestClient.HistoryPage page = new RestClient().history(stackClient.historyUri(), carol.token(),
                    "d:alice:carol", 0, 50);
            assertThat(page.messages()).extracting(m -> m.body().asText()).containsExactly("written offline");
        } finally {
            alice.close();
            carol.close();
        }
    }
}
