package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GroupEventTextTest {

    private static ChatMessage event(String from, JsonNode body) {
        return new ChatMessage("e1", ConversationId.of("g:team1"), 7, from, "team1", 1_700_000_000_000L, ChatMessage.SERVER_DEVICE,
                "evt-1", ChatMessage.EVENT_TYPE, body);
    }

    @Test
    void rendersEachKnownEvent() {
        assertThat(GroupEventText.render(event("alice", GroupEvents.created("Team", List.of("bob", "carol")))))
                .isEqualTo("alice created the group 'Team' with bob, carol");
        assertThat(GroupEventText.render(event("alice", GroupEvents.membersAdded(List.of("bob")))))
                .isEqualTo("alice added bob");
        assertThat(GroupEventText.render(event("alice", GroupEvents.membersAdded(List.of("bob", "dave")))))
                .isEqualTo("alice added bob, dave");
        assertThat(GroupEventText.render(event("bob", GroupEvents.memberJoined("bob", "invitation"))))
                .isEqualTo("bob joined (invitation)");
        assertThat(GroupEventText.render(event("bob", GroupEvents.memberLeft("bob")))).isEqualTo("bob left");
        assertThat(GroupEventText.render(event("alice", GroupEvents.memberRemoved("bob"))))
                .isEqualTo("alice removed bob");
        assertThat(GroupEventText.render(event("bob", GroupEvents.memberRemoved("bob")))).isEqualTo("bob left");
        assertThat(GroupEventText.render(event("alice", GroupEvents.roleChanged("bob", "admin"))))
                .isEqualTo("alice made bob an admin");
        assertThat(GroupEventText.render(event("alice", GroupEvents.roleChanged("bob", "member"))))
                .isEqualTo("alice made bob a member");
        assertThat(GroupEventText.render(event("alice", GroupEvents.ownerChanged("bob"))))
                .isEqualTo("alice made bob the owner");
        assertThat(GroupEventText.render(event("alice", GroupEvents.memberMuted("bob", 1_893_456_000_000L))))
                .isEqualTo("alice muted bob until 2030-01-01T00:00:00Z");
        assertThat(GroupEventText.render(event("alice", GroupEvents.memberUnmuted("bob"))))
                .isEqualTo("alice unmuted bob");
        assertThat(GroupEventText.render(event("alice", GroupEvents.groupMuted())))
                .isEqualTo("alice muted the group: only admins and the owner may speak");
        assertThat(GroupEventText.render(event("alice", GroupEvents.groupUnmuted()))).isEqualTo("alice unmuted the group");
        assertThat(GroupEventText.render(event("alice", GroupEvents.updated(List.of("name", "description")))))
                .isEqualTo("alice changed the group's name, description");
        assertThat(GroupEventText.render(event("alice", GroupEvents.dissolved()))).isEqualTo("alice dissolved the group");
    }

    @Test
    void unknownEventsAndOddBodiesAreShownGenerically() {
        JsonNode poll = Json.MAPPER.createObjectNode().put("event", "poll_opened").put("question", "pizza?");
        assertThat(GroupEventText.render(event("alice", poll)))
                .isEqualTo("alice: poll_opened {\"event\":\"poll_opened\",\"question\":\"pizza?\"}");
        assertThat(GroupEventText.render(event("alice", null))).startsWith("alice: event");
        assertThat(GroupEventText.render(event("alice", GroupEvents.membersAdded(List.of())))).isEqualTo("alice added ?");
    }

    @Test
    void tellsEventsFromMessages() {
        assertThat(GroupEventText.isEvent(event("alice", GroupEvents.dissolved()))).isTrue();
        ChatMessage text = new ChatMessage("m1", ConversationId.of("g:team1"), 8, "alice", "team1", 0, "phone", "c1", "text",
                TextNode.valueOf("hi"));
        assertThat(GroupEventText.isEvent(text)).isFalse();
        ChatMessage directEvent = new ChatMessage("m2", ConversationId.of("d:alice:bob"), 1, "alice", "bob", 0, "phone", "c2", "event",
                TextNode.valueOf("x"));
        assertThat(GroupEventText.isEvent(directEvent)).isFalse();     // only group conversations carry events
    }

    @Test
    void membershipEndsForTheRemovedOrLeavingUserAndForEveryoneWhenDissolved() {
        assertThat(GroupEventText.endsMembership(event("alice", GroupEvents.memberRemoved("bob")), "bob")).isTrue();
        assertThat(GroupEventText.endsMembership(event("alice", GroupEvents.memberRemoved("bob")), "carol")).isFalse();
        assertThat(GroupEventText.endsMembership(event("bob", GroupEvents.memberLeft("bob")), "bob")).isTrue();
        assertThat(GroupEventText.endsMembership(event("alice", GroupEvents.dissolved()), "carol")).isTrue();
        assertThat(GroupEventText.endsMembership(event("alice", GroupEvents.membersAdded(List.of("bob"))), "bob"))
                .isFalse();
    }

    @Test
    void groupIdOfAConversation() {
        assertThat(GroupEventText.groupId("g:team1")).isEqualTo("team1");
        assertThat(GroupEventText.groupId("d:alice:bob")).isNull();
        assertThat(GroupEventText.groupId((String) null)).isNull();
    }
}
