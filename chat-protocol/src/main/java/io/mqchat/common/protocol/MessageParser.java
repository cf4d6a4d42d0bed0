package io.mqchat.common.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Validates what a client publishes to a chat topic and turns it into an {@link OutgoingMessage}.
 *
 * <p>Accepted payloads: a JSON object {@code {"cid": "...", "type": "text", "body": "..."}} or plain
 * UTF-8 text (a text message; its cid comes from the MQTT 5 user property {@code cid} if present).
 * The sender fields are the server's: a payload that sets {@code id, conv, seq, ts, dev}, or a
 * {@code from} other than the authenticated sender, is refused rather than silently corrected.
 */
public final class MessageParser {

    private static final Set<String> SERVER_FIELDS = Set.of("id", "conv", "seq", "ts", "dev");
    private static final Set<String> CLIENT_FIELDS = Set.of("cid", "type", "body", "from", "to", "mentions");
    /** Most entries in {@code mentions}. */
    public static final int MAX_MENTIONS = 50;
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.-]{0,31}");

    private final int maxPayloadBytes;

    /** @param maxPayloadBytes the largest payload accepted, in bytes */
    public MessageParser(int maxPayloadBytes) {
        if (maxPayloadBytes < 64) {
            throw new IllegalArgumentException("maxPayloadBytes must be at least 64, was " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * @param payload          the publish payload
     * @param sender           the authenticated sender's user id
     * @param recipient        the user or group id the topic addresses
     * @param cidUserProperty  the MQTT 5 user property {@code cid}, or null
     */
    public OutgoingMessage parse(ByteBuffer payload, String sender, String recipient, String cidUserProperty)
            throws ProtocolException {
        int size = payload == null ? 0 : payload.remaining();
        if (size > maxPayloadBytes) {
            throw new ProtocolException(ProtocolError.PAYLOAD_TOO_LARGE,
                    "payload is " + size + " bytes, the maximum is " + maxPayloadBytes);
        }
        String text = decodeUtf8(payload);
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD, "empty message");
        }
        char first = trimmed.charAt(0);
        if (first == '{') {
            return parseJson(trimmed, sender, recipient);
        }
        if (first == '[') {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "a JSON payload must be an object");
        }
        if (cidUserProperty != null && !Ids.isValidClientMessageId(cidUserProperty)) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD,
                    "user property 'cid' must be 1-64 printable ASCII characters");
        }
        boolean clientCid = cidUserProperty != null;
        String cid = clientCid ? cidUserProperty : "srv-" + UUID.randomUUID();
        return new OutgoingMessage(cid, "text", TextNode.valueOf(text), clientCid);
    }

    private OutgoingMessage parseJson(String json, String sender, String recipient) throws ProtocolException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (StreamConstraintsException e) {
            // too deep, too long a number or name: these carry no location
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "JSON exceeds a limit: nested at most "
                    + Json.MAX_NESTING + " levels, numbers at most " + Json.MAX_NUMBER_LENGTH + " digits");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, at == null ? "invalid JSON"
                    : "invalid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        if (!validUnicode(node)) {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD,
                    "a string or name holds an unpaired surrogate escape (not valid Unicode)");
        }
        JsonNode cidNode = node.get("cid");
        String cid = cidNode != null && cidNode.isTextual() ? cidNode.asText() : null;
        if (cidNode == null || cidNode.isNull()) {
            throw new ProtocolException(ProtocolError.MISSING_CID, "a JSON message needs a 'cid' (your message id)");
        }
        if (cid == null || !Ids.isValidClientMessageId(cid)) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD,
                    "'cid' must be a string of 1-64 printable ASCII characters");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (SERVER_FIELDS.contains(name)) {
                throw new ProtocolException(ProtocolError.FORGED_FIELD, "'" + name + "' is set by the server", cid);
            }
            if (!CLIENT_FIELDS.contains(name)) {
                throw new ProtocolException(ProtocolError.INVALID_FIELD, "unknown field '" + truncate(name) + "'", cid);
            }
        }
        JsonNode from = node.get("from");
        if (from != null && !(from.isTextual() && from.asText().equals(sender))) {
            throw new ProtocolException(ProtocolError.FORGED_FIELD,
                    "'from' must be left out or equal the authenticated user", cid);
        }
        JsonNode to = node.get("to");
        if (to != null && !(to.isTextual() && to.asText().equals(recipient))) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD, "'to' does not match the topic", cid);
        }
        JsonNode typeNode = node.get("type");
        String type = typeNode == null ? "text" : typeNode.isTextual() ? typeNode.asText() : null;
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD,
                    "'type' must be a lower-case name such as 'text'", cid);
        }
        if (type.equals(ChatMessage.RECALLED_TYPE) || type.equals(ChatMessage.EVENT_TYPE)) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD,
                    "'type' \"" + type + "\" is reserved for the server", cid);
        }
        java.util.List<String> mentions = mentions(node.get("mentions"), cid);
        JsonNode body = node.get("body");
        if (body == null || body.isNull()) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD, "'body' is missing", cid);
        }
        if (type.equals("text") && (!body.isTextual() || body.asText().isBlank())) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD, "a text message needs a non-empty string 'body'",
                    cid);
        }
        return new OutgoingMessage(cid, type, body, true, mentions);
    }

    /** {@code mentions}: absent, or an array of distinct user ids and/or "all" (checked against the group later). */
    private static java.util.List<String> mentions(JsonNode node, String cid) throws ProtocolException {
        if (node == null || node.isNull()) {
            return java.util.List.of();
        }
        if (!node.isArray() || node.size() > MAX_MENTIONS) {
            throw new ProtocolException(ProtocolError.INVALID_FIELD,
                    "'mentions' must be an array of at most " + MAX_MENTIONS + " user ids (or \"all\")", cid);
        }
        java.util.LinkedHashSet<String> result = new java.util.LinkedHashSet<>();
        for (JsonNode entry : node) {
            String id = entry.isTextual() ? entry.asText() : null;
            if (id == null || !(id.equals(ChatMessage.MENTION_ALL) || Ids.isValidUserId(id))) {
                throw new ProtocolException(ProtocolError.INVALID_FIELD,
                        "'mentions' must contain user ids or \"all\"", cid);
            }
            result.add(id);
        }
        return java.util.List.copyOf(result);
    }

    private static String decodeUtf8(ByteBuffer payload) throws ProtocolException {
        if (payload == null) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(payload.asReadOnlyBuffer())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "payload is neither JSON nor UTF-8 text");
        }
    }

    /** JSON's \\u escapes can spell half a surrogate pair, which no store or client can keep as it was. */
    private static boolean validUnicode(JsonNode node) {
        if (node.isTextual()) {
            return validUnicode(node.textValue());
        }
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> field = it.next();
            if (!validUnicode(field.getKey()) || !validUnicode(field.getValue())) {
                return false;
            }
        }
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!validUnicode(item)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean validUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String truncate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
