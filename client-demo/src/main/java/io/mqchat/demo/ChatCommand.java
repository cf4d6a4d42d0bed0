package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.GroupEvents;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Interactive chat. Type a line to send it to the current peer or group.",
                "Commands: /to PEER (switch peer), /history [PEER|GROUP] (recent history), /list (conversations with"
                        + " unread counts), /read (mark the current conversation read), /quit.",
                "Groups (GROUP: a group id, or a group's name if unique): /groups (your groups),"
                        + " /group create NAME USER... (a new group, you own it), /g GROUP TEXT (send to a group;"
                        + " @user words mention users), /g GROUP (switch to the group), /add GROUP USER...,"
                        + " /kick GROUP USER, /leave GROUP."})
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

    static final String COMMANDS = "/to PEER, /history [PEER|GROUP], /list, /read, /groups, /group create NAME USER...,"
            + " /g GROUP [TEXT], /add GROUP USER..., /kick GROUP USER, /leave GROUP, /quit";

    /** How many recent messages /history shows. */
    private static final int HISTORY_LINES = 20;

    private final GroupNames groups = new GroupNames();
    /** Where a plain line goes: a peer, or (when set) a group. */
    private String peer;
    private String group;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ChatClient client = common.login(device)) {
            client.onMessage(m -> onMessage(out, client, m))
                    .onEvent(e -> print(out, Printer.format(e)))
                    .onStatus(s -> print(out, "* " + s));
            refreshGroups(out, client, false);      // names first, so synced group messages show them
            client.connect(common.broker(), mqtt3);
            print(out, "* type a message, " + COMMANDS + (to == null ? " (no peer yet: /to PEER or /g GROUP)" : ""));
            peer = to;
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
                }
                handle(out, client, line);
            }
            int queued = client.state().unacked().size();
            if (queued > 0) {
                print(out, "* " + queued + " message(s) not yet confirmed; they are re-sent on the next start");
            }
        }
        return 0;
    }

    private void handle(PrintWriter out, ChatClient client, String line) {
        String[] words = line.split("\\s+");
        String command = words[0];
        String rest = line.substring(command.length()).strip();
        switch (command) {
            case "/to" -> {
                if (Ids.isValidUserId(rest)) {
                    peer = rest;
                    group = null;
                    print(out, "* talking to " + peer);
                } else {
                    print(out, "* usage: /to PEER (" + Ids.userIdRule() + ")");
                }
            }
            case "/history" -> showHistory(out, client, rest);
            case "/list" -> ConversationsCommand.print(out, client, groups::name);
            case "/read" -> markRead(out, client);
            case "/groups" -> refreshGroups(out, client, true);
            case "/group" -> createGroup(out, client, words);
            case "/g" -> {
                String groupId = words.length > 1 ? groups.resolve(words[1]) : null;
                if (groupId == null) {
                    print(out, "* usage: /g GROUP [TEXT] (GROUP: an id, or a unique name from /groups)");
                } else if (words.length == 2) {
                    group = groupId;
                    print(out, "* talking in " + groups.label(groupId));
                } else {
                    sendToGroup(out, client, groupId, rest.substring(words[1].length()).strip());
                }
            }
            case "/add" -> changeMembers(out, client, words, true);
            case "/kick" -> changeMembers(out, client, words, false);
            case "/leave" -> {
                String groupId = words.length == 2 ? groups.resolve(words[1]) : null;
                if (groupId == null) {
                    print(out, "* usage: /leave GROUP");
                } else {
                    rest(out, "leave", () -> client.removeMember(groupId, client.user()));
                }
            }
            default -> {
                if (command.startsWith("/")) {
                    print(out, "* unknown command; " + COMMANDS);
                } else if (group != null) {
                    sendToGroup(out, client, group, line);
                } else if (peer == null) {
                    print(out, "* no peer: /to PEER or /g GROUP first");
                } else {
                    // Shown when its stored copy comes back on our inbox (with its seq); only refusals here.
                    reportRefusal(out, client.send(peer, line));
                }
            }
        }
    }

    /** Shows a message or group event; keeps group names up to date. Runs on the client's event thread. */
    private void onMessage(PrintWriter out, ChatClient client, ChatMessage m) {
        groups.learn(m);
        print(out, Printer.format(m, client.user(), client.device(), groups::name));
        if (GroupEventText.endsMembership(m, client.user()) && !GroupEvents.DISSOLVED.equals(GroupEventText.name(m))) {
            print(out, "* you are no longer in " + groups.label(GroupEventText.groupId(m.conv())));
        }
        if (GroupEventText.isEvent(m) && GroupEvents.UPDATED.equals(GroupEventText.name(m))
                && m.body().path("fields").toString().contains("\"name\"")) {
            CompletableFuture.runAsync(() -> refreshGroups(out, client, false));    // not on the event thread: it blocks
        }
    }

    /** Sends to a group; the message shows when its stored copy arrives on the group topic. */
    private static void sendToGroup(PrintWriter out, ChatClient client, String groupId, String text) {
        if (text.isEmpty()) {
            print(out, "* nothing to send");
            return;
        }
        reportRefusal(out, client.sendToGroup(groupId, text, Mentions.extract(text)));
    }

    private static void reportRefusal(PrintWriter out, CompletableFuture<ChatMessage> sent) {
        sent.whenComplete((stored, error) -> {
            if (error != null) {
                print(out, "* not sent: " + error.getMessage());
            }
        });
    }

    private void refreshGroups(PrintWriter out, ChatClient client, boolean show) {
        try {
            List<RestClient.Group> mine = client.myGroups();
            groups.replaceAll(mine);
            if (show) {
                if (mine.isEmpty()) {
                    print(out, "* no groups yet: /group create NAME USER...");
                }
                for (RestClient.Group g : mine) {
                    print(out, g.groupId() + "  " + g.name() + "  (" + g.memberCount() + " members, you: " + g.role() + ")");
                }
            }
        } catch (Exception e) {
            print(out, "* groups failed: " + e.getMessage());
        }
    }

    private void createGroup(PrintWriter out, ChatClient client, String[] words) {
        if (words.length < 3 || !words[1].equals("create")) {
            print(out, "* usage: /group create NAME USER...");
            return;
        }
        List<String> members = Arrays.asList(words).subList(3, words.length);
        try {
            RestClient.Group created = client.createGroup(words[2], members);
            groups.put(created.groupId(), created.name());
            group = created.groupId();
            print(out, "* created " + created.name() + " (" + created.groupId() + "); talking in it now");
        } catch (Exception e) {
            print(out, "* group create failed: " + e.getMessage());
        }
    }

    private void changeMembers(PrintWriter out, ChatClient client, String[] words, boolean add) {
        String groupId = words.length > 2 ? groups.resolve(words[1]) : null;
        if (groupId == null || (!add && words.length != 3)) {
            print(out, add ? "* usage: /add GROUP USER..." : "* usage: /kick GROUP USER");
            return;
        }
        List<String> users = Arrays.asList(words).subList(2, words.length);
        if (add) {
            rest(out, "add", () -> client.addMembers(groupId, users));
        } else {
            rest(out, "kick", () -> client.removeMember(groupId, users.get(0)));
        }
        // success shows as the group event (* [Team] alice added bob) when it arrives
    }

    private interface RestAction {
        void run() throws Exception;
    }

    private static void rest(PrintWriter out, String what, RestAction action) {
        try {
            action.run();
        } catch (Exception e) {
            print(out, "* " + what + " failed: " + e.getMessage());
        }
    }

    private void markRead(PrintWriter out, ChatClient client) {
        if (peer == null && group == null) {
            print(out, "* no conversation: /to PEER or /g GROUP first");
            return;
        }
        try {
            RestClient.ReadPosition read = client.markRead(group != null ? "g:" + group : client.conversationWith(peer));
            print(out, "* " + read.conv() + " read up to #" + read.readSeq() + ", " + read.unread() + " unread");
        } catch (Exception e) {
            print(out, "* read failed: " + e.getMessage());
        }
    }

    /** {@code /history} (the current conversation), {@code /history PEER} or {@code /history GROUP}. */
    private void showHistory(PrintWriter out, ChatClient client, String who) {
        String conv;
        if (who.isEmpty()) {
            conv = group != null ? "g:" + group : peer != null ? client.conversationWith(peer) : null;
        } else if (groups.known(who) == null && Ids.isValidUserId(who)) {
            conv = client.conversationWith(who);     // not a group we know: a peer
        } else {
            String groupId = groups.resolve(who);
            conv = groupId != null ? "g:" + groupId : null;
        }
        if (conv == null) {
            print(out, "* usage: /history [PEER|GROUP]");
            return;
        }
        try {
            long last = client.state().complete(conv);
            RestClient.HistoryPage page = client.conversationHistory(conv, Math.max(0, last - HISTORY_LINES),
                    HISTORY_LINES);
            print(out, "* history of " + page.conv() + (page.messages().isEmpty() ? ": empty" : ":"));
            for (ChatMessage m : page.messages()) {
                print(out, "  " + Printer.format(m, client.user(), client.device(), groups::name));
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
