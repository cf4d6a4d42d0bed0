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
}
