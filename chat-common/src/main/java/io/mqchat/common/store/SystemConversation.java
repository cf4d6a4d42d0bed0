package io.mqchat.common.store;

import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.util.List;

/**
 * Who reads what of the system conversation ({@link io.mqchat.common.protocol.ConversationId#SYSTEM}): a
 * broadcast is stored once; one for everyone has no {@link StoreSchema.Message#AUDIENCE}, one for listed users
 * names them there, and every reader's queries (history, sync, unread, preview) pass over what is not theirs.
 */
public final class SystemConversation {

    /** Most users one broadcast may list (the list is stored in the message: 10,000 ids are ~0.3 MB). */
    public static final int MAX_AUDIENCE = 10_000;

    private SystemConversation() {
    }

    /** The messages of the system conversation {@code user} may read. */
    public static Bson readableBy(String user) {
        return Filters.or(Filters.exists(StoreSchema.Message.AUDIENCE, false), Filters.eq(StoreSchema.Message.AUDIENCE, user));
    }

    /** Whether {@code user} may read this stored message (true for every message outside the system conversation). */
    public static boolean readableBy(Document message, String user) {
        List<?> audience = message.getList(StoreSchema.Message.AUDIENCE, Object.class);
        return audience == null || audience.contains(user);
    }
}
