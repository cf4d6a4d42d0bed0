package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;

/** How the CLI shows a message: {@code [d:alice:bob #12] alice: hello}, own messages marked. */
final class Printer {

    private Printer() {
    }

    static String format(ChatMessage message, String me, String myDevice) {
        String body = message.body() == null ? "" : message.body().isTextual() ? message.body().asText()
                : message.body().toString();
        String type = "text".equals(message.type()) ? "" : "(" + message.type() + ") ";
        String mark = !me.equals(message.from()) ? ""
                : myDevice.equals(message.dev()) ? " (you)" : " (you, " + message.dev() + ")";
        return "[" + message.conv() + " #" + message.seq() + "] " + message.from() + mark + ": " + type + body;
    }

    /** {@code * bob read d:alice:bob up to #42}, {@code * logged in on another phone}, ... */
    static String format(ServerEvent event) {
        if (event instanceof ServerEvent.Read r) {
            return "* " + r.by() + " read " + r.conv() + " up to #" + r.upTo();
        }
        if (event instanceof ServerEvent.Kick k) {
            return "* kicked: " + (k.reason().isEmpty() ? "this " + k.device() + " logged in elsewhere" : k.reason());
        }
        ServerEvent.Recall r = (ServerEvent.Recall) event;
        return "* message " + r.id() + " in " + r.conv() + " was recalled";
    }
}
