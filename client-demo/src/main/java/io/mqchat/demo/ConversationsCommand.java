package io.mqchat.demo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "conversations", mixinStandardHelpOptions = true,
        description = "List your conversations, most recent first, with unread counts (REST only, no MQTT).")
final class ConversationsCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = {"-d", "--device"}, defaultValue = "bot",
            description = "Device type to log in as (default: ${DEFAULT-VALUE}, so an open 'chat' on your phone is not"
                    + " kicked: one login per device type).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (ChatClient client = common.login(device)) {
            GroupNames names = new GroupNames();
            try {
                names.replaceAll(client.myGroups());
            } catch (IOException e) {
                // no names then: groups show their ids
            }
            print(spec.commandLine().getOut(), client, names::name);
            return 0;
        }
    }

    /** {@code d:alice:bob  bob  2 unread  (last #42 alice: see you at 8)}; shared with chat's /list. */
    static void print(PrintWriter out, ChatClient client) {
        print(out, client, groupId -> null);
    }

    /**
     * Groups show their name when known: {@code g:g1f0...  Team  3 unread, you were mentioned  (last #9 bob: hi)}.
     *
     * @param groupNames a group's name by id, {@code null} when unknown
     */
    static void print(PrintWriter out, ChatClient client, Function<String, String> groupNames) {
        try {
            List<RestClient.Conversation> list = client.conversations();
            if (list.isEmpty()) {
                ChatCommand.print(out, "* no conversations yet");
            }
            for (RestClient.Conversation c : list) {
                ChatCommand.print(out, line(c, groupNames));
            }
        } catch (IOException e) {
            ChatCommand.print(out, "* conversations failed: " + e.getMessage());
        }
    }

    static String line(RestClient.Conversation c, Function<String, String> groupNames) {
        String last = c.lastText() != null ? c.lastFrom() + ": " + c.lastText() : c.lastFrom() + " (non-text)";
        String who = c.peer();
        if (c.isGroup()) {
            String name = groupNames.apply(c.groupId());
            who = name != null ? name : c.groupId();
        }
        return c.conv() + "  " + who + "  " + c.unread() + " unread" + (c.mentioned() ? ", you were mentioned" : "")
                + "  (last #" + c.lastSeq() + " " + last + ")";
    }
}
