package io.mqchat.common.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.util.Date;

import static io.mqchat.common.schema.StoreSchema.Message;

/** Maps {@link ChatMessage} to and from its MongoDB document. */
public final class MessageDocuments {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private MessageDocuments() {
    }

    public static Document toDocument(ChatMessage m) {
        Document d = new Document(Message.ID, m.id())
                .append(Message.CONV, m.conv().toString())
                .append(Message.SEQ, m.seq())
                .append(Message.FROM, m.from())
                .append(Message.TO, m.to())
                .append(Message.TS, m.ts())
                .append(Message.DEV, m.dev())
                .append(Message.CID, m.cid())
                .append(Message.TYPE, m.type())
                .append(Message.CREATED_AT, new Date(m.ts()));
        if (m.body() != null && m.body().isTextual()) {
            d.append(Message.BODY, m.body().asText());
        } else if (m.body() != null && !m.body().isNull()) {
            d.append(Message.BODY_JSON, json(m));
        }
        if (m.recalledAt() != null) {
            d.append(Message.RECALLED_AT, m.recalledAt());
        }
        if (m.mentions() != null) {
            d.append(Message.MENTIONS, m.mentions());
        }
        if (m.service()) {
            d.append(Message.SERVICE, true);
        }
        return d;
    }

    /**
     * The highest stored seq of a conversation, 0 if it has none: one entry of the {@code (conv, seq)} index.
     * Seeds a sequence counter that Redis does not have, and bounds read receipts.
     */
    public static long maxSeq(MongoCollection<Document> messages, String conv) {
        Document top = messages.find(Filters.eq(Message.CONV, conv)).sort(Sorts.descending(Message.SEQ))
                .projection(Projections.include(Message.SEQ)).limit(1).first();
        return top == null ? 0L : ((Number) top.get(Message.SEQ)).longValue();
    }

    public static ChatMessage fromDocument(Document d) {
        return new ChatMessage(d.getString(Message.ID), ConversationId.of(d.getString(Message.CONV)),
                ((Number) d.get(Message.SEQ)).longValue(), d.getString(Message.FROM), d.getString(Message.TO),
                ((Number) d.get(Message.TS)).longValue(), d.getString(Message.DEV), d.getString(Message.CID),
                d.getString(Message.TYPE), body(d),
                d.get(Message.RECALLED_AT) instanceof Number n ? n.longValue() : null,
                d.getList(Message.MENTIONS, String.class), Boolean.TRUE.equals(d.get(Message.SERVICE)));
    }

    private static String json(ChatMessage m) {
        try {
            return Json.MAPPER.writeValueAsString(m.body());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body of message " + m.id() + " cannot be written as JSON", e);
        }
    }

    private static JsonNode body(Document d) {
        String json = d.getString(Message.BODY_JSON);
        if (json == null) {
            return legacyBody(d.get(Message.BODY));
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored body of message " + d.get(Message.ID) + " is not JSON", e);
        }
    }

    /** Bodies written before {@link Message#BODY_JSON} existed: a string, or a BSON value. */
    private static JsonNode legacyBody(Object value) {
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
