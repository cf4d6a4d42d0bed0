package io.mqchat.common.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.util.Date;

import static io.mqchat.common.store.StoreSchema.Message;

/** Maps {@link ChatMessage} to and from its MongoDB document. */
public final class MessageDocuments {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private MessageDocuments() {
    }

    public static Document toDocument(ChatMessage m) {
        Document d = new Document(Message.ID, m.id())
                .append(Message.CONV, m.conv())
                .append(Message.SEQ, m.seq())
                .append(Message.FROM, m.from())
                .append(Message.TO, m.to())
                .append(Message.TS, m.ts())
                .append(Message.DEV, m.dev())
                .append(Message.CID, m.cid())
                .append(Message.TYPE, m.type())
                .append(Message.BODY, toBson(m.body()))
                .append(Message.CREATED_AT, new Date(m.ts()));
        if (m.recalledAt() != null) {
            d.append(Message.RECALLED_AT, m.recalledAt());
        }
        if (m.mentions() != null) {
            d.append(Message.MENTIONS, m.mentions());
        }
        return d;
    }

    public static ChatMessage fromDocument(Document d) {
        return new ChatMessage(d.getString(Message.ID), d.getString(Message.CONV),
                ((Number) d.get(Message.SEQ)).longValue(), d.getString(Message.FROM), d.getString(Message.TO),
                ((Number) d.get(Message.TS)).longValue(), d.getString(Message.DEV), d.getString(Message.CID),
                d.getString(Message.TYPE), fromBson(d.get(Message.BODY)),
                d.get(Message.RECALLED_AT) instanceof Number n ? n.longValue() : null,
                d.getList(Message.MENTIONS, String.class));
    }

    private static Object toBson(JsonNode body) {
        if (body == null || body.isNull()) {
            return null;
        }
        if (body.isTextual()) {
            return body.asText();
        }
        // Objects, arrays and numbers go through the BSON JSON reader so they stay queryable documents.
        return BsonDocument.parse("{\"v\":" + body + "}").get("v");
    }

    private static JsonNode fromBson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return Json.MAPPER.getNodeFactory().textNode(s);
        }
        String json = new Document("v", value).toJson(RELAXED);
        try {
            return Json.MAPPER.readTree(json).get("v");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored body is not JSON-representable", e);
        }
    }
}
