package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Ids;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Interactive chat. Type a line to send it to the current peer.",
                "Commands: /to PEER (switch peer), /history [PEER] (recent history), /list (conversations with unread"
                        + " counts), /read (mark the current conversation read), /quit."})
final class ChatCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = {"-d", "--device"}, defaultValue = "phone", description = "Device type (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--mqtt3", description = "Use MQTT 3.1.1 instead of MQTT 5.")
    boolean mqtt3;

    @Option(names = {"-t", "--to"}, description = "The peer to talk to first.")
    String to;

    @Spec
    CommandSpec spec;

    private static final String COMMANDS = "/to PEER, /history [PEER], /list, /read, /quit";

    /** How many recent messages /history shows. */
    private static final int HISTORY_LINES = 20;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ChatClient client = ChatClient.login(common.api, common.user, common.password, device, common.stateDir)) {
            client.withHistory(common.history)
                    .onMessage(m -> print(out, Printer.format(m, client.user(), client.device())))
                    .onEvent(e -> print(out, Printer.format(e)))
                    .onStatus(s -> print(out, "* " + s));
            client.connect(common.broker, mqtt3);
            print(out, "* type a message, " + COMMANDS + (to == null ? " (no peer yet: /to PEER)" : ""));
            String peer = to;
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (client.loggedOutReason() != null) {
                    print(out, "* " + client.loggedOutReason());
                    return Main.EXIT_FAILED;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("/quit")) {
                    break;
                } else if (line.startsWith("/to")) {
                    String next = line.substring(3).strip();
                    if (Ids.isValidUserId(next)) {
                        peer = next;
                        print(out, "* talking to " + peer);
                    } else {
                        print(out, "* usage: /to PEER (" + Ids.userIdRule() + ")");
                    }
                } else if (line.startsWith("/history")) {
                    String who = line.substring(8).strip();
                    showHistory(out, client, who.isEmpty() ? peer : who);
                } else if (line.equals("/list")) {
                    ConversationsCommand.print(out, client);
                } else if (line.equals("/read")) {
                    markRead(out, client, peer);
                } else if (line.startsWith("/")) {
                    print(out, "* unknown command; " + COMMANDS);
                } else if (peer == null) {
                    print(out, "* no peer: /to PEER first");
                } else {
                    // Shown when its stored copy comes back on our inbox (with its seq); only refusals here.
                    client.send(peer, line).whenComplete((stored, error) -> {
                        if (error != null) {
                            print(out, "* not sent: " + error.getMessage());
                        }
                    });
                }
            }
            int queued = client.state().unacked().size();
            if (queued > 0) {
                print(out, "* " + queued + " message(s) not yet confirmed; they are re-sent on the next start");
            }
        }
        return 0;
    }

    private static void markRead(PrintWriter out, ChatClient client, String peer) {
        if (peer == null) {
            print(out, "* no peer: /to PEER first");
            return;
        }
        try {
            RestClient.ReadPosition read = client.markRead(client.conversationWith(peer));
            print(out, "* " + read.conv() + " read up to #" + read.readSeq() + ", " + read.unread() + " unread");
        } catch (Exception e) {
            print(out, "* read failed: " + e.getMessage());
        }
    }

    private static void showHistory(PrintWriter out, ChatClient client, String peer) {
        if (peer == null || !Ids.isValidUserId(peer)) {
            print(out, "* usage: /history PEER");
            return;
        }
        try {
            long last = client.state().complete(client.conversationWith(peer));
            RestClient.HistoryPage page = client.history(peer, Math.max(0, last - HISTORY_LINES), HISTORY_LINES);
            print(out, "* history of " + page.conv() + (page.messages().isEmpty() ? ": empty" : ":"));
            for (ChatMessage m : page.messages()) {
                print(out, "  " + Printer.format(m, client.user(), client.device()));
            }
        } catch (Exception e) {
            print(out, "* history failed: " + e.getMessage());
        }
    }

    static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
