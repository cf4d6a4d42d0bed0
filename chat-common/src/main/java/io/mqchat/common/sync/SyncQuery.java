package io.mqchat.common.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.PageSize;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sync request asks, as both transports take it (REST's body or query, MQTT's {@code chat/req}): the
 * cursor of an earlier answer or explicit positions, and a page size. It is parsed and validated here once;
 * each transport adds its own fields (MQTT's {@code op} and {@code rid}) and reports a refusal its own way
 * (every refusal is an {@link IllegalArgumentException} whose message is meant for the client).
 *
 * @param state no cursor: positions only and no recall list (what is returned is already recalled; the next
 *              cursor starts the list)
 */
public record SyncQuery(SyncCursor.State state, int limit) {

    /** The fields of a sync request, besides a transport's own. */
    public static final Set<String> FIELDS = Set.of("cursor", "conversations", "limit");

    /**
     * A request as a JSON object of {@link #FIELDS} and {@code ownFields}, from {@code user} (whose
     * conversations its positions must be).
     */
    public static SyncQuery parse(JsonNode request, Set<String> ownFields, String user, PageSize limits) {
        for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field) && !ownFields.contains(field)) {
                Set<String> expected = new TreeSet<>(FIELDS);
                expected.addAll(ownFields);
                throw new IllegalArgumentException("unknown field '" + (field.length() > 32 ? field.substring(0, 32) : field)
                        + "'; expected " + String.join(", ", expected));
            }
        }
        if (request.has("cursor") && request.has("conversations")) {
            throw new IllegalArgumentException("give either cursor or conversations, not both");
        }
        SyncCursor.State state = new SyncCursor.State(Map.of(), null);
        if (request.has("cursor")) {
            if (!request.get("cursor").isTextual()) {
                throw new IllegalArgumentException("cursor must be the string of an earlier answer");
            }
            state = decode(request.get("cursor").asText());
        } else if (request.has("conversations")) {
            state = new SyncCursor.State(SyncCursor.positions(request.get("conversations")), null);
        }
        int limit = limits.defaultLimit();
        if (request.has("limit")) {
            JsonNode l = request.get("limit");
            if (!l.isIntegralNumber() || !l.canConvertToLong()) {
                throw new IllegalArgumentException(limits.notPositive());
            }
            limit = limits.clamp(l.asLong());
        }
        return validated(user, state, limit);
    }

    /** A request as query parameters: an optional cursor and an optional limit (text). */
    public static SyncQuery of(String cursor, String limitText, String user, PageSize limits) {
        SyncCursor.State state = cursor == null ? new SyncCursor.State(Map.of(), null) : decode(cursor);
        return validated(user, state, limits.parse(limitText));
    }

    private static SyncQuery validated(String user, SyncCursor.State state, int limit) {
        SyncEngine.validate(user, state.positions());
        return new SyncQuery(state, limit);
    }

    private static SyncCursor.State decode(String cursor) {
        try {
            return SyncCursor.decodeState(cursor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor must be the cursor of an earlier answer");
        }
    }
}
