package io.mqchat.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's group parts that need no server: how messages and events print, naming groups, the help. */
class CliGroupsTest {

    private static ChatMessage groupMessage(long seq, String from, String dev, List<String> mentions) {
        return new ChatMessage("m" + seq, ConversationId.of("g:g42"), seq, from, "g42", 0, dev, "c" + seq, "text",
                TextNode.valueOf("hi @alice"), null, mentions);
    }

    @Test
    void groupMessagesShowTheGroupsNameOrIdAndMentions() {
        GroupNames names = new GroupNames();
        assertThat(Printer.format(groupMessage(7, "bob", "phone", null), "alice", "phone", names::name))
                .isEqualTo("[g42 #7] bob: hi @alice");
        names.put("g42", "Team");
        assertThat(Printer.format(groupMessage(7, "bob", "phone", List.of("alice")), "alice", "phone", names::name))
                .isEqualTo("[Team #7] bob: hi @alice  (mentions you)");
        assertThat(Printer.format(groupMessage(8, "carol", "phone", List.of("all")), "alice", "phone", names::name))
                .endsWith("(mentions you)");
        assertThat(Printer.format(groupMessage(9, "alice", "desktop", List.of("bob")), "alice", "phone", names::name))
                .isEqualTo("[Team #9] alice (you, desktop): hi @alice");
    }

    @Test
    void groupEventsPrintAsSentences() {
        ChatMessage added = new ChatMessage("e1", ConversationId.of("g:g42"), 3, "alice", "g42", 0, "server", "evt-1", "event",
                GroupEvents.membersAdded(List.of("bob")));
        GroupNames names = new GroupNames();
        names.put("g42", "Team");
        assertThat(Printer.format(added, "carol", "phone", names::name)).isEqualTo("* [Team] alice added bob");
    }

    @Test
    void aCreatedEventTeachesTheGroupsName() {
        GroupNames names = new GroupNames();
        names.learn(new ChatMessage("e1", ConversationId.of("g:g42"), 1, "alice", "g42", 0, "server", "evt-1", "event",
                GroupEvents.created("Team", List.of("bob"))));
        assertThat(names.name("g42")).isEqualTo("Team");
        assertThat(names.label("g99")).isEqualTo("g99");
    }

    @Test
    void groupsAreNamedByIdOrUniqueName() {
        GroupNames names = new GroupNames();
        names.replaceAll(List.of(new RestClient.Group("g42", "g:g42", "Team", "alice", 3, "owner"),
                new RestClient.Group("g43", "g:g43", "Pals", "bob", 2, "member"),
                new RestClient.Group("g44", "g:g44", "pals", "carol", 2, "member")));
        assertThat(names.resolve("g42")).isEqualTo("g42");
        assertThat(names.resolve("team")).isEqualTo("g42");          // names ignore case
        assertThat(names.resolve("Pals")).isNull();                  // two groups have that name
        assertThat(names.resolve("g77")).isEqualTo("g77");           // unknown but valid: the server decides
        assertThat(names.known("g77")).isNull();
        assertThat(names.resolve("no/such")).isNull();
        assertThat(names.resolve("")).isNull();
    }

    @Test
    void conversationLinesShowGroupNamesAndMentions() {
        RestClient.Conversation team = new RestClient.Conversation("g:g42", null, 9, 5, "bob", "hi @alice", 6, 3, 0,
                "group", "g42", true);
        assertThat(ConversationsCommand.line(team, id -> id.equals("g42") ? "Team" : null))
                .isEqualTo("g:g42  Team  3 unread, you were mentioned  (last #9 bob: hi @alice)");
        assertThat(ConversationsCommand.line(team, id -> null)).startsWith("g:g42  g42  3 unread");
        RestClient.Conversation bob = new RestClient.Conversation("d:alice:bob", "bob", 4, 3, "bob", "yo", 4, 0, 4);
        assertThat(ConversationsCommand.line(bob, id -> null)).isEqualTo("d:alice:bob  bob  0 unread  (last #4 bob: yo)");
    }

    @Test
    void chatHelpListsTheGroupCommands() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("chat", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("/groups", "/group create NAME USER...", "/g GROUP TEXT", "/add GROUP USER...",
                        "/kick GROUP USER", "/leave GROUP", "@user");
    }
}
