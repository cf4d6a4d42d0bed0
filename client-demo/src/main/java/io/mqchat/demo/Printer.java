package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ServerEvent;

import java.util.function.Function;

/**
 * How the CLI shows a message: {@code [d:alice:bob #12] alice: hello}, own messages marked; group messages
 * as {@code [Team #7] bob: hi @alice (mentions you)} and group events as {@code * [Team] alice added bob}.
 */
final class Printer {

    private Printer() {
    }

    static String format(ChatMessage message, String me, String myDevice) {
        return format(message, me, myDevice, groupId -> null);
    }

    /** @param groupNames a group's name by group id, {@code null} when unknown (then the id is shown) */
    static String format(ChatMessage message, String me, String myDevice, Function<String, String> groupNames) {
        String groupId = GroupEventText.groupId(message.conv());
        String where = message.conv().toString();
        if (groupId != null) {
            String name = groupNames.apply(groupId);
            where = name != null ? name : groupId;
        }
        if (GroupEventText.isEvent(message)) {
            return "* [" + where + "] " + GroupEventText.render(message);
        }
        String body = message.body() == null ? "" : message.body().isTextual() ? message.body().asText()
                : message.body().toString();
        String type = "text".equals(message.type()) ? "" : "(" + message.type() + ") ";
        String mark = !me.equals(message.from()) ? ""
                : myDevice.equals(message.dev()) ? " (you)" : " (you, " + message.dev() + ")";
        String mentioned = groupId != null && !me.equals(message.from()) && message.mentions(me) ? "  (mentions you)" : "";
        return "[" + where + " #" + message.seq() + "] " + message.from() + mark + ": " + type + body + mentioned;
    }

    /** {@code * bob read d:alice:bob up to #42}, {@code * logged in on another phone}, ... */
    static String format(ServerEvent event) {
        if (event instanceof ServerEvent.Read r) {
            return "* " + r.by() + " read " + r.conv() + " up to #" + r.upTo();
        }
        if (event instanceof ServerEvent.Kick k) {
            return "* kicked: " + (k.reason().isEmpty() ? "this " + k.device() + " logged in elsewhere" : k.reason());
        }
        if (event instanceof ServerEvent.Recall r) {
            return "* message " + r.id() + " in " + r.conv() + " was recalled";
        }
        if (event instanceof ServerEvent.GroupInvitation i) {
            return "* " + i.by() + " invited you to " + i.name() + " (" + i.groupId() + ")";
        }
        if (event instanceof ServerEvent.GroupJoinRequest j) {
            return "* " + j.user() + " asks to join " + j.name() + " (" + j.groupId() + ")";
        }
        if (event instanceof ServerEvent.Signal s) {
            if (s.signal().equals("typing")) {
                String where = s.conv().startsWith("g:") ? " in " + s.conv().substring(2) : "";
                return "stop".equals(s.state()) ? "* " + s.from() + " stopped typing" + where
                        : "* " + s.from() + " is typing…" + where;
            }
            return "* " + s.from() + ": " + s.signal() + (s.state() == null ? "" : " " + s.state());
        }
        return "* " + event.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
