package io.mqchat.history.web;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;

import java.util.Map;

/**
 * A message as the REST answers carry it. The web layer serialises with Jackson 3, the protocol's
 * {@code JsonNode}s are Jackson 2: it gets plain maps and lists instead, which both render the same way.
 */
public final class PlainJson {

    private PlainJson() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(ChatMessage message) {
        return Json.MAPPER.convertValue(message, Map.class);
    }
}
