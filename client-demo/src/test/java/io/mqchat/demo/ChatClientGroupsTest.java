package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * ChatClient's group handling without a broker: messages are handed to it as if they had arrived on the
 * group topic (or the inbox), the way Paho's client-wide callback does for server-made subscriptions.
 */
class ChatClientGroupsTest {

    @TempDir
    Path stateDir;

    private FakeServer api;
    private ChatClient alice;
    private final List<ChatMessage> shown = new CopyOnWriteArrayList<>();

    @BeforeEach
    void login() throws IOException {
        api = new FakeServer(r -> FakeServer.Answer.json(200,
                "{\"token\":\"t0k3n\",\"clientId\":\"alice:phone\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}"));
        alice = ChatClient.login(api.uri(), "alice", "pw", "phone", stateDir).onMessage(shown::add);
    }

    @AfterEach
    void close() {
        alice.close();
        api.close();
    }

    private static ChatMessage message(String id, long seq, String from, String dev, String cid, JsonNode body) {
        return new ChatMessage(id, ConversationId.of("g:team1"), seq, from, "team1", 1_700_000_000_000L + seq, dev, cid,
                body.isTextual() ? "text" : ChatMessage.EVENT_TYPE, body);
    }

    private void arrives(String topic, ChatMessage message) {
        alice.received(topic, message.toJsonBytes());
    }

    private List<Long> shownSeqs() {
        return shown.stream().map(ChatMessage::seq).toList();
    }

    @Test
    void aGroupSendIsWrittenAheadAndCompletedByItsCopyOnTheGroupTopic() throws Exception {
        CompletableFuture<ChatMessage> sent = alice.sendToGroup("team1", "hi @bob", List.of("bob"));
        await().until(() -> alice.state().unacked().size() == 1);
        LocalState.Pending pending = alice.state().unacked().get(0);
        assertThat(pending.group()).isEqualTo("team1");
        assertThat(pending.topic()).isEqualTo("chat/g/team1");
        assertThat(pending.mentions()).containsExactly("bob");
        assertThat(sent).isNotDone();

        ChatMessage stored = message("m1", 1, "alice", "phone", pending.cid(), TextNode.valueOf("hi @bob"));
        arrives("chat/g/team1", stored);

        assertThat(sent.get(5, TimeUnit.SECONDS).seq()).isEqualTo(1);
        assertThat(alice.state().unacked()).isEmpty();
        assertThat(shown).extracting(ChatMessage::id).containsExactly("m1");
    }

    @Test
    void groupMessagesAndEventsAreShownOnceInSeqOrder() {
        ChatMessage created = message("e1", 1, "carol", "server", "evt-1",
                GroupEvents.created("Team", List.of("alice", "bob")));
        ChatMessage hi = message("m2", 2, "bob", "phone", "b-1", TextNode.valueOf("hi"));
        ChatMessage added = message("e3", 3, "carol", "server", "evt-2", GroupEvents.membersAdded(List.of("dave")));

        arrives("chat/g/team1", created);
        arrives("chat/g/team1", added);         // overtook seq 2: waits
        assertThat(shownSeqs()).containsExactly(1L);
        arrives("chat/g/team1", hi);
        arrives("chat/g/team1", hi);            // delivered again (at-least-once)
        assertThat(shownSeqs()).containsExactly(1L, 2L, 3L);
        assertThat(alice.state().complete("g:team1")).isEqualTo(3);
    }

    @Test
    void beingRemovedClosesTheGroupEvenWithAGapBeforeIt() {
        arrives("chat/g/team1", message("m1", 1, "bob", "phone", "b-1", TextNode.valueOf("hi")));
        // seq 2 never reaches us; the removal comes on our inbox (we are no longer subscribed to the group)
        arrives("chat/u/alice", message("e3", 3, "carol", "server", "evt-3", GroupEvents.memberRemoved("alice")));
        assertThat(shownSeqs()).containsExactly(1L, 3L);
        assertThat(alice.state().hasGaps()).isFalse();
    }

    @Test
    void someoneElsesRemovalIsJustAnEvent() {
        arrives("chat/g/team1", message("m1", 1, "bob", "phone", "b-1", TextNode.valueOf("hi")));
        arrives("chat/g/team1", message("e3", 3, "carol", "server", "evt-3", GroupEvents.memberRemoved("bob")));
        assertThat(shownSeqs()).containsExactly(1L);
        assertThat(alice.state().hasGap("g:team1")).isTrue();
    }

    @Test
    void anMqtt3ErrorEventRefusesTheGroupSend() throws Exception {
        CompletableFuture<ChatMessage> sent = alice.sendToGroup("team1", "hello", List.of());
        await().until(() -> alice.state().unacked().size() == 1);
        String cid = alice.state().unacked().get(0).cid();
        String error = "{\"type\":\"error\",\"cid\":\"" + cid + "\",\"code\":\"muted\",\"reason\":"
                + "\"the group is muted: only admins and the owner may speak\",\"topic\":\"chat/g/team1\"}";
        alice.received("chat/u/alice", error.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SendRefusedException.class)
                .hasMessageContaining("muted: the group is muted");
        assertThat(alice.state().unacked()).isEmpty();
    }

    @Test
    void invalidGroupsAndMentionsFailAtOnce() {
        assertThatThrownBy(() -> alice.sendToGroup("no/such", "x", List.of()).get())
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> alice.sendToGroup("team1", "x", List.of("b")).get())
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid mention");
        assertThat(alice.state().unacked()).isEmpty();
    }

    @Test
    void theGroupWirePayloadCarriesMentionsOnlyWhenThereAreSome() throws Exception {
        JsonNode with = Json.MAPPER.readTree(Outbox.payload(LocalState.Pending.toGroup("phone-1", "team1", "text",
                TextNode.valueOf("hi @bob"), 5, List.of("bob", "all"))));
        assertThat(with.toString())
                .isEqualTo("{\"cid\":\"phone-1\",\"type\":\"text\",\"body\":\"hi @bob\",\"mentions\":[\"bob\",\"all\"]}");
        JsonNode without = Json.MAPPER.readTree(Outbox.payload(LocalState.Pending.toGroup("phone-2", "team1", "text",
                TextNode.valueOf("hi"), 5, List.of())));
        assertThat(without.toString()).isEqualTo("{\"cid\":\"phone-2\",\"type\":\"text\",\"body\":\"hi\"}");
    }
}
