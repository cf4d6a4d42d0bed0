package io.mqchat.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message as a client sends it, after validation: what the client chose ({@code cid}, {@code type},
 * {@code body}). Everything else in a {@link ChatMessage} is set by the server.
 *
 * @param cid  the client's own message id; a retry with the same cid is stored once
 * @param type the message type, e.g. {@code text}
 * @param body the content: a string for {@code text}, any JSON value for other types
 * @param clientGeneratedCid false when the server made the cid up (plain-text payloads without one),
 *                           so the message cannot be deduplicated on retry
 * @param mentions the mentioned user ids (or {@value ChatMessage#MENTION_ALL}); empty when none
 */
public record OutgoingMessage(String cid, String type, JsonNode body, boolean clientGeneratedCid,
                              java.util.List<String> mentions) {

    public OutgoingMessage {
        mentions = mentions == null ? java.util.List.of() : java.util.List.copyOf(mentions);
    }

    /** A message without mentions. */
    public OutgoingMessage(String cid, String type, JsonNode body, boolean clientGeneratedCid) {
        this(cid, type, body, clientGeneratedCid, java.util.List.of());
    }
}
