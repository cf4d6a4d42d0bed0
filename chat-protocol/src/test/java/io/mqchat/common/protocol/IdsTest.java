package io.mqchat.common.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void userIdsRefuseTopicAndQueryCharacters() {
        assertThat(Ids.isValidUserId("alice_1.x-y")).isTrue();
        for (String bad : new String[]{"ab", "a".repeat(33), "a/b", "a+b", "a#b", "$sys", "a:b", "a b", "{\"$gt\":\"\"}",
                "'; drop table", "ali\u0000ce", null}) {
            assertThat(Ids.isValidUserId(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void clientIdIsUserColonDevice() {
        assertThat(ClientId.parse("alice:phone")).contains(new ClientId("alice", "phone"));
        assertThat(ClientId.parse("alice")).isEmpty();
        assertThat(ClientId.parse("alice:phone:x")).isEmpty();
        assertThat(ClientId.parse("alice:Phone")).isEmpty();
        assertThat(ClientId.parse("a/b:phone")).isEmpty();
    }

    @Test
    void directConversationIdsAreOrdered() {
        assertThat(ConversationId.direct("bob", "alice").toString()).isEqualTo("d:alice:bob");
        assertThat(ConversationId.direct("alice", "bob")).isEqualTo(ConversationId.direct("bob", "alice"));
        assertThat(ConversationId.parse("d:alice:bob")).contains(ConversationId.direct("alice", "bob"));
        assertThat(ConversationId.parse("d:bob:alice")).isEmpty();
        assertThat(ConversationId.parse("g:team-1")).contains(ConversationId.group("team-1"));
        assertThat(ConversationId.parse("x:alice")).isEmpty();
        assertThat(ConversationId.direct("alice", "bob").peerOf("alice")).isEqualTo("bob");
    }

    @Test
    void chatTopicsParseOnlyValidTargets() {
        assertThat(Topics.parseChatTopic("chat/u/bob")).contains(new Topics.ChatTopic(Topics.Kind.INBOX, "bob"));
        assertThat(Topics.parseChatTopic("chat/g/team")).contains(new Topics.ChatTopic(Topics.Kind.GROUP, "team"));
        assertThat(Topics.parseChatTopic("chat/u/bob/x")).isEmpty();
        assertThat(Topics.parseChatTopic("chat/u/+")).isEmpty();
        assertThat(Topics.parseChatTopic("chat/p/bob")).isEmpty();
        assertThat(Topics.parseChatTopic("other")).isEmpty();
    }

    @Test
    void groupOfNamesTheGroupOfAGroupConversationOnly() {
        assertThat(ConversationId.groupOf("g:team-1")).contains("team-1");
        assertThat(ConversationId.groupOf("d:alice:bob")).isEmpty();
        assertThat(ConversationId.groupOf("g:")).isEmpty();
        assertThat(ConversationId.groupOf("g:bad/id")).isEmpty();
        assertThat(ConversationId.groupOf(null)).isEmpty();
    }
}
