package io.mqchat.common.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import org.bson.Document;

/**
 * Writes whose unique key another writer may have taken first: the one place that reads MongoDB's
 * duplicate-key error, so a store says "taken" instead of catching driver exceptions itself.
 */
public final class UniqueInsert {

    private UniqueInsert() {
    }

    /** Inserts {@code doc}; false if a document with one of its unique keys exists already. */
    public static boolean insertIfAbsent(MongoCollection<Document> collection, Document doc) {
        try {
            collection.insertOne(doc);
            return true;
        } catch (MongoWriteException e) {
            if (isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Whether the write failed only because a unique key was taken (e.g. by a concurrent upsert). */
    public static boolean isDuplicateKey(MongoWriteException e) {
        return e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
