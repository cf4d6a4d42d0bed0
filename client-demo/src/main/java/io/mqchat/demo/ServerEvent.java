package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event the server put on our inbox. Events never have a {@code seq} (only chat messages do) and say
 * what they are in {@code type}; clients ignore types they do not know. ({@code error} events answer our
 * own publishes and complete {@link ChatClient#send}'s future instead; {@code sync} answers MQTT sync
 * requests, which this client does not make: it syncs over REST.)
 */
public sealed interface ServerEvent {

    /** {@code {"type":"read","conv","by","upTo","ts"}}: {@code by} (the peer, or us on another device) read up to {@code upTo}. */
    record Read(String conv, String by, long upTo, long ts) implements ServerEvent {
    }

    /**
     * {@code {"type":"kick","device","reason","ts"}}: this device was replaced by a newer login of its device
     * type. Its token is dead; the client stops and reports {@link ChatClient#onLoggedOut}.
     */
    record Kick(String device, String reason, long ts) implements ServerEvent {
    }

    /** {@code {"type":"recall","conv","id",...}}: the sender recalled message {@code id}; {@code json} is the whole event. */
    record Recall(String conv, String id, JsonNode json) implements ServerEvent {
    }

    /** Reads a server event; {@code null} for types this client does not show. */
    static ServerEvent parse(JsonNode node) {
        return switch (node.path("type").asText()) {
            case "read" -> new Read(node.path("conv").asText(), node.path("by").asText(), node.path("upTo").asLong(),
                    node.path("ts").asLong());
            case "kick" -> new Kick(node.path("device").asText(), node.path("reason").asText(""), node.path("ts").asLong());
            case "recall" -> new Recall(node.path("conv").asText(), node.path("id").asText(), node);
            default -> null;
        };
    }
}
