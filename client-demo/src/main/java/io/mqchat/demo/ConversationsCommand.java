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
        try (ChatClient client = ChatClient.login(common.api, common.user, common.password, device, common.stateDir)) {
            client.withHistory(common.history);
            print(spec.commandLine().getOut(), client);
            return 0;
        }
    }

    /** {@code d:alice:bob  bob  2 unread  (last #42 alice: see you at 8)}; shared with chat's /list. */
    static void print(PrintWriter out, ChatClient client) {
        try {
            List<RestClient.Conversation> list = client.conversations();
            if (list.isEmpty()) {
                ChatCommand.print(out, "* no conversations yet");
            }
            for (RestClient.Conversation c : list) {
                String last = c.lastText() != null ? c.lastFrom() + ": " + c.lastText() : c.lastFrom() + " (non-text)";
                ChatCommand.print(out, c.conv() + "  " + c.peer() + "  " + c.unread() + " unread  (last #" + c.lastSeq()
                        + " " + last + ")");
            }
        } catch (IOException e) {
            ChatCommand.print(out, "* conversations failed: " + e.getMessage());
        }
    }
}
