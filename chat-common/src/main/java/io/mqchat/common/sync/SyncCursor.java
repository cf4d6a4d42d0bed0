package io.mqchat.common.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The opaque sync cursor: the client's "complete up to" position per conversation, as deflated JSON in
 * base64url, and how far recalls were reported ({@link RecallMark}). Clients store it and send it back;
 * they never look inside. Decoding is bounded (size,
 * entries) and validates nothing else: callers validate the conversations like any other input.
 */
public final class SyncCursor {

    /** Longest cursor text accepted. */
    public static final int MAX_TEXT = 64 * 1024;
    /** Most conversations a cursor (or a positions map) may hold. */
    public static final int MAX_ENTRIES = 10_000;
    /** Most recall ids a cursor may hold (those at or after its recall time already reported). */
    public static final int MAX_SEEN_RECALLS = 1_000;
    private static final int MAX_INFLATED = 1024 * 1024;
    private static final int VERSION = 1;

    private SyncCursor() {
    }

    /**
     * How far a device has seen recalls: every recall with {@code recalledAt < at} has been reported to it,
     * and of those at or after {@code at}, the messages in {@code seen}.
     */
    public record RecallMark(long at, Set<String> seen) {

        /** Nothing seen: what a cursor from before recalls were synced means. */
        public static final RecallMark ZERO = new RecallMark(0, Set.of());

        public RecallMark {
            if (at < 0 || seen == null) {
                throw new IllegalArgumentException("bad recall mark");
            }
            seen = Set.copyOf(seen);
        }
    }

    /** A cursor's content: the positions and how far recalls were reported. */
    public record State(Map<String, Long> positions, RecallMark recalls) {
    }

    /** A cursor without a recall mark (as before recalls were synced): decodes with {@link RecallMark#ZERO}. */
    public static String encode(Map<String, Long> positions) {
        return encode(positions, null);
    }

    public static String encode(Map<String, Long> positions, RecallMark recalls) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("v", VERSION);
        ObjectNode p = root.putObject("p");
        positions.forEach(p::put);
        if (recalls != null) {
            // optional fields of version 1: older servers ignore them, older cursors lack them
            root.put("r", recalls.at());
            if (!recalls.seen().isEmpty()) {
                ArrayNode seen = root.putArray("rs");
                recalls.seen().stream().sorted().forEach(seen::add);
            }
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(json);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 2 + 16);
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /** The positions in a cursor; {@link IllegalArgumentException} for anything that is not one of ours. */
    public static Map<String, Long> decode(String cursor) {
        return decodeState(cursor).positions();
    }

    /**
     * Positions and recall mark of a cursor. A cursor without a mark (made before recalls were synced) gets
     * {@link RecallMark#ZERO}: every recall still stored in the user's conversations is reported once.
     */
    public static State decodeState(String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_TEXT) {
            throw new IllegalArgumentException("cursor is empty or too long");
        }
        byte[] compressed;
        try {
            compressed = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not a sync cursor");
        }
        Inflater inflater = new Inflater(true);
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_INFLATED) {
                    throw new IllegalArgumentException("cursor is too large");
                }
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("cursor is not a sync cursor");
        } finally {
            inflater.end();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cursor is not a sync cursor");
        }
        if (root == null || root.path("v").asInt() != VERSION || !root.path("p").isObject()) {
            throw new IllegalArgumentException("cursor is not a sync cursor");
        }
        RecallMark mark = RecallMark.ZERO;
        if (root.has("r")) {
            JsonNode r = root.get("r");
            JsonNode rs = root.path("rs");
            if (!r.isIntegralNumber() || !r.canConvertToLong() || r.asLong() < 0
                    || (!rs.isMissingNode() && (!rs.isArray() || rs.size() > MAX_SEEN_RECALLS))) {
                throw new IllegalArgumentException("cursor is not a sync cursor");
            }
            Set<String> seen = new HashSet<>();
            for (JsonNode id : rs) {
                if (!id.isTextual() || id.asText().length() > 64) {
                    throw new IllegalArgumentException("cursor is not a sync cursor");
                }
                seen.add(id.asText());
            }
            mark = new RecallMark(r.asLong(), seen);
        }
        return new State(positions(root.get("p")), mark);
    }

    /**
     * Reads a JSON object of {@code conv → seq} (a cursor's content, or the {@code conversations} of a
     * request): non-negative integers, at most {@link #MAX_ENTRIES}. Conversation ids are not checked here.
     */
    public static Map<String, Long> positions(JsonNode object) {
        if (object == null || !object.isObject()) {
            throw new IllegalArgumentException("conversations must be an object of conversation id to seq");
        }
        if (object.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " conversations");
        }
        Map<String, Long> result = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new IllegalArgumentException("the seq of a conversation must be an integer >= 0");
            }
            result.put(e.getKey(), v.asLong());
        }
        return result;
    }
}
