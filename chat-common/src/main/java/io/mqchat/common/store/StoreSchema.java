package io.mqchat.common.store;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * MongoDB collection and field names shared by the broker extension and the REST services, and the
 * indexes the promises rest on: unique {@code (conv, seq)} (order) and unique {@code (from, cid)}
 * (exactly-once storage of retries).
 */
public final class StoreSchema {

    public static final String USERS = "users";
    public static final String MESSAGES = "messages";

    /** Message document fields. {@code _id} is the message id. */
    public static final class Message {
        public static final String ID = "_id";
        public static final String CONV = "conv";
        public static final String SEQ = "seq";
        public static final String FROM = "from";
        public static final String TO = "to";
        public static final String TS = "ts";
        public static final String DEV = "dev";
        public static final String CID = "cid";
        public static final String TYPE = "type";
        public static final String BODY = "body";
        /** A BSON date of {@code ts}, for the retention TTL index. */
        public static final String CREATED_AT = "createdAt";

        private Message() {
        }
    }

    /** User document fields. {@code _id} is the user id. */
    public static final class User {
        public static final String ID = "_id";
        public static final String PASSWORD_HASH = "passwordHash";
        public static final String CREATED_AT = "createdAt";

        private User() {
        }
    }

    public static final String INDEX_CONV_SEQ = "conv_seq_unique";
    public static final String INDEX_FROM_CID = "from_cid_unique";

    private StoreSchema() {
    }

    /** Creates the indexes if missing; every component calls this at start, it is idempotent. */
    public static void ensureIndexes(MongoDatabase db) {
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.CONV, Message.SEQ),
                new IndexOptions().unique(true).name(INDEX_CONV_SEQ));
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.FROM, Message.CID),
                new IndexOptions().unique(true).name(INDEX_FROM_CID));
    }
}
