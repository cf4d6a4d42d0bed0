package io.mqchat.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the records of the protocol look like on the wire: the fields PROTOCOL.md documents, written and read
 * by the one mapper, the same on the server and in clients.
 */
class WireFormatTest {

    private static final ConversationId DIRECT = ConversationId.direct("bob", "alice");

    private static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void aChatMessageIsTheEnvelopeWithTheConversationAsText() throws Exception {
        ChatMessage m = new ChatMessage("65a1b2c3d4e5f60718293a4b", DIRECT, 7, "alice", "bob", 1_700_000_000_000L,
                "phone", "c-7", "text", TextNode.valueOf("hi"), null, List.of("bob"));
        String json = new String(m.toJsonBytes(), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"id\":\"65a1b2c3d4e5f60718293a4b\",\"conv\":\"d:alice:bob\",\"seq\":7,"
                + "\"from\":\"alice\",\"to\":\"bob\",\"ts\":1700000000000,\"dev\":\"phone\",\"cid\":\"c-7\","
                + "\"type\":\"text\",\"body\":\"hi\",\"mentions\":[\"bob\"]}");
        assertThat(ChatMessage.fromJson(tree(json))).isEqualTo(m);
    }

    @Test
    void aServiceAccountsMessageIsMarkedAndKeepsTheMarkWhenRecalled() throws Exception {
        ChatMessage m = new ChatMessage("65a1b2c3d4e5f60718293a4b", DIRECT, 8, "alice", "bob", 1L, "eu-1", "c-8",
                "text", TextNode.valueOf("gg"), null, null, true);
        String json = new String(m.toJsonBytes(), StandardCharsets.UTF_8);

        assertThat(json).endsWith("\"body\":\"gg\",\"service\":true}");
        assertThat(ChatMessage.fromJson(tree(json))).isEqualTo(m);
        assertThat(tree(new String(m.asRecalled(2L).toJsonBytes(), StandardCharsets.UTF_8)).get("service").asBoolean())
                .isTrue();
        assertThat(ChatMessage.fromJson(tree(json.replace(",\"service\":true", ""))).service()).isFalse();
    }

    @Test
    void aRecalledMessageKeepsAnExplicitNullBodyAndItsRecallTime() throws Exception {
        ChatMessage recalled = new ChatMessage("65a1b2c3d4e5f60718293a4b", ConversationId.group("team"), 3, "alice",
                "team", 1L, "phone", "c-3", "text", TextNode.valueOf("oops")).asRecalled(99L);
        JsonNode json = tree(new String(recalled.toJsonBytes(), StandardCharsets.UTF_8));

        assertThat(json.has("body")).as("body is there, as null").isTrue();
        assertThat(json.get("body").isNull()).isTrue();
        assertThat(json.get("recalledAt").asLong()).isEqualTo(99L);
        assertThat(json.get("type").asText()).isEqualTo(ChatMessage.RECALLED_TYPE);
        assertThat(json.has("mentions")).isFalse();
        ChatMessage back = ChatMessage.fromJson(json);
        assertThat(back.body()).isNull();
        assertThat(back).isEqualTo(recalled);
    }

    @Test
    void unknownEnvelopeFieldsAreIgnoredAndABadConversationIsRefused() throws Exception {
        ChatMessage read = ChatMessage.fromJson(tree("{\"id\":\"x\",\"conv\":\"g:team\",\"seq\":2,\"from\":\"alice\","
                + "\"to\":\"team\",\"ts\":5,\"dev\":\"web\",\"cid\":\"c\",\"type\":\"text\",\"body\":{\"a\":1},"
                + "\"newer\":\"field\"}"));
        assertThat(read.conv()).isEqualTo(ConversationId.group("team"));
        assertThat(read.body().get("a").asInt()).isEqualTo(1);

        assertThatThrownBy(() -> ChatMessage.fromJson(tree("{\"id\":\"x\",\"conv\":\"d:zed:alice\",\"seq\":1}")))
                .as("direct ids are ordered").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatMessage.fromJson(tree("{\"id\":\"x\",\"conv\":{\"$ne\":1},\"seq\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void conversationIdsAreValuesByTheirText() {
        assertThat(ConversationId.of("d:alice:bob")).isEqualTo(DIRECT).hasSameHashCodeAs(DIRECT);
        assertThat(ConversationId.of("s:all")).isSameAs(ConversationId.SYSTEM);
        assertThat(ConversationId.group("team").isGroup()).isTrue();
        assertThat(DIRECT.isGroup()).isFalse();
        assertThatThrownBy(() -> ConversationId.of("x:" + "y".repeat(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("y".repeat(100));
    }

    @Test
    void everyEventWritesItsTypeFirstAndReadsBackEqual() throws Exception {
        List<ServerEvent> events = List.of(
                new ServerEvent.Kick("phone", "logged in elsewhere", 1L),
                new ServerEvent.Read("d:alice:bob", "bob", 9, 2L),
                ServerEvent.Recall.byUser("d:alice:bob", "m1", 4, "alice", 3L),
                ServerEvent.Recall.byAdmin("g:team", "m2", 5, "root", "spam", 4L).answering("r-1"),
                new ServerEvent.GroupInvitation("team", "The team", "alice", 5L),
                new ServerEvent.GroupJoinRequest("team", "The team", "carol", 6L),
                new ServerEvent.Contact(ServerEvent.Contact.REQUEST_RECEIVED, "carol", 3, "hi, it's Carol", 8L),
                new ServerEvent.Contact(ServerEvent.Contact.ACCEPTED, "carol", 4, null, 9L),
                new ServerEvent.ContactChanges("r-3", List.of(new ServerEvent.ContactChanges.Change(4,
                        ServerEvent.Contact.ACCEPTED, "carol", null, 9L)), 4, 4, false),
                ServerEvent.Refusal.ofPublish("c-1", ProtocolError.MUTED, "muted: until 12:00", "chat/g/team"),
                ServerEvent.Refusal.ofRequest(null, "unknown_message", "no such message", "chat/req/alice"),
                new ServerEvent.Sync("r-2", List.of(), Map.of("d:alice:bob", 3L), "cur", false, null,
                        List.of(new ServerEvent.Sync.Recalled("d:alice:bob", "m1", 2, 7L, "alice", null)), List.of()),
                new ServerEvent.Signal("typing", "start", "alice", "phone", "d:alice:bob", 8L, null),
                new ServerEvent.Signal("game_move", null, "bot-1", "eu-1", "g:table", 9L,
                        Json.MAPPER.readTree("{\"x\":1}")));
        assertThat(events.stream().map(e -> (Class<?>) e.getClass()).distinct())
                .as("one of each kind").hasSize(ServerEvent.class.getPermittedSubclasses().length);
        for (ServerEvent event : events) {
            String json = event.toJson();
            assertThat(json).as(json).startsWith("{\"type\":\"");
            assertThat(ServerEvent.parse(tree(json))).as(json).isEqualTo(event);
        }
    }

    @Test
    void eventsCarryTheDocumentedFieldsAndLeaveOutAbsentOnes() throws Exception {
        JsonNode read = tree(new ServerEvent.Read("d:alice:bob", "bob", 9, 2L).toJson());
        assertThat(read.get("type").asText()).isEqualTo("read");
        assertThat(read.get("upTo").asLong()).as("not seq: only chat messages have one").isEqualTo(9);
        assertThat(read.has("seq")).isFalse();

        JsonNode recall = tree(ServerEvent.Recall.byUser("d:alice:bob", "m1", 4, "alice", 3L).toJson());
        assertThat(recall.has("rid")).isFalse();
        assertThat(recall.has("reason")).isFalse();
        assertThat(recall.has("admin")).isFalse();
        JsonNode removal = tree(ServerEvent.Recall.byAdmin("g:team", "m2", 5, "root", "spam", 4L).toJson());
        assertThat(removal.get("admin").asBoolean()).isTrue();
        assertThat(removal.get("reason").asText()).isEqualTo("spam");

        JsonNode error = tree(ServerEvent.Refusal.ofPublish(null, ProtocolError.MALFORMED_PAYLOAD, "not JSON",
                "chat/u/bob").toJson());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).isEqualTo("malformed_payload");
        assertThat(error.has("cid")).as("a payload without a cid").isFalse();

        JsonNode contact = tree(new ServerEvent.Contact(ServerEvent.Contact.REMOVED, "bob", 7, null, 5L).toJson());
        assertThat(contact.get("type").asText()).isEqualTo("contact");
        assertThat(contact.get("change").asText()).isEqualTo("removed");
        assertThat(contact.get("peer").asText()).isEqualTo("bob");
        assertThat(contact.get("version").asLong()).isEqualTo(7);
        assertThat(contact.has("message")).as("no message: left out").isFalse();
        assertThat(contact.has("seq")).isFalse();

        JsonNode changes = tree(new ServerEvent.ContactChanges(null, List.of(new ServerEvent.ContactChanges.Change(3,
                ServerEvent.Contact.REQUEST_RECEIVED, "carol", "hi", 8L)), 5, 3, true).toJson());
        assertThat(changes.get("type").asText()).isEqualTo("contact_changes");
        assertThat(changes.has("rid")).isFalse();
        assertThat(changes.get("changes").get(0).get("change").asText()).isEqualTo("request_received");
        assertThat(changes.get("changes").get(0).get("message").asText()).isEqualTo("hi");
        assertThat(changes.get("changes").get(0).get("at").asLong()).isEqualTo(8);
        assertThat(changes.get("version").asLong()).isEqualTo(5);
        assertThat(changes.get("next").asLong()).isEqualTo(3);
        assertThat(changes.get("hasMore").asBoolean()).isTrue();

        JsonNode sync = tree(new ServerEvent.Sync(null, List.of(), Map.of(), "c", true, 250L,
                List.of(new ServerEvent.Sync.Recalled("d:alice:bob", "m1", 2, 7L, "alice", null)), List.of()).toJson());
        assertThat(sync.get("retryAfterMs").asLong()).isEqualTo(250);
        assertThat(sync.get("recalls").get(0).has("reason")).as("reason: null, as before").isTrue();
    }

    @Test
    void aKickWithoutAReasonReadsAsAnEmptyOne() throws Exception {
        ServerEvent kick = ServerEvent.parse(tree("{\"type\":\"kick\",\"device\":\"phone\",\"ts\":1}"));
        assertThat(kick).isEqualTo(new ServerEvent.Kick("phone", "", 1L));
    }

    @Test
    void unknownOrUnreadableEventsAreNull() throws Exception {
        assertThat(ServerEvent.parse(tree("{\"type\":\"typing\",\"from\":\"bob\"}"))).as("a newer type").isNull();
        assertThat(ServerEvent.parse(tree("{\"from\":\"bob\"}"))).isNull();
        assertThat(ServerEvent.parse(tree("{\"type\":\"read\",\"upTo\":{\"deep\":true}}"))).isNull();
        assertThat(ServerEvent.parse(null)).isNull();
        // a field this version does not know is ignored
        assertThat(ServerEvent.parse(tree("{\"type\":\"kick\",\"device\":\"web\",\"reason\":\"r\",\"ts\":1,\"x\":2}")))
                .isEqualTo(new ServerEvent.Kick("web", "r", 1L));
    }

    @Test
    void aRecallListedBySyncIsTheLiveEvent() {
        assertThat(new ServerEvent.Sync.Recalled("d:alice:bob", "m1", 2, 7L, "alice", null).asEvent())
                .isEqualTo(ServerEvent.Recall.byUser("d:alice:bob", "m1", 2, "alice", 7L));
        assertThat(new ServerEvent.Sync.Recalled("g:team", "m2", 3, 8L, "root", "spam").asEvent())
                .isEqualTo(ServerEvent.Recall.byAdmin("g:team", "m2", 3, "root", "spam", 8L));
    }
}
