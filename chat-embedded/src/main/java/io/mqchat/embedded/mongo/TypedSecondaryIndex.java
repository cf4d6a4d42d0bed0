package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.QueryMatcher;
import de.bwaldvogel.mongo.bson.Document;

import org.h2.mvstore.MVMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A non-unique index (mongo-java-server keeps none: it ignores them and reads every document). Its entries
 * are keyed by the indexed fields and then the document's {@code _id} (unless it is one of them), so every key is unique and the unique
 * index's machinery serves; it never refuses a document. {@link IndexScan} reads it like any typed index.
 *
 * <p>A partial index ({@code partialFilterExpression}) holds only the documents matching its filter, so a
 * scan may use it only for a query that implies the filter: here, a filter of {@code {field: {$exists: true}}}
 * conditions, implied by a query that bounds or fixes each such field to a value. A sparse index holds every
 * document (more than MongoDB's, which is safe for a scan, which matches the query on what it reads).
 */
final class TypedSecondaryIndex extends TypedUniqueIndex {

    private static final QueryMatcher MATCHER = new DefaultQueryMatcher();

    /** Null: every document. */
    private final Document partialFilter;
    /** False for an index map that existed at start: it was complete then, even if empty (a partial index). */
    private final boolean created;

    TypedSecondaryIndex(MVMap<KeyValue, Object> keys, String name, List<IndexKey> indexKeys, Document partialFilter,
                        boolean created) {
        super(keys, name, withId(indexKeys), false);
        this.partialFilter = partialFilter;
        this.created = created;
    }

    /**
     * The keys and then {@code _id}, unless the index names {@code _id} itself: a document's key is collected per
     * field name, so a second {@code _id} would not be in it, and scans would look for a longer key than any entry.
     */
    private static List<IndexKey> withId(List<IndexKey> keys) {
        List<IndexKey> all = new ArrayList<>(keys);
        if (keys.stream().noneMatch(k -> k.getKey().equals("_id"))) {
            all.add(new IndexKey("_id", true));
        }
        return all;
    }

    private boolean covers(Document document) {
        return partialFilter == null || MATCHER.matches(document, partialFilter);
    }

    @Override
    public boolean isUnique() {
        return false;
    }

    /** An empty map that existed at start is a built index that has nothing, not one to build. */
    @Override
    public boolean isEmpty() {
        return created && super.isEmpty();
    }

    @Override
    public synchronized void checkAdd(Document document, MongoCollection<Object> collection) {
        // the _id makes every key unique: nothing to refuse
    }

    @Override
    public synchronized void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
    }

    @Override
    public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
        if (covers(document)) {
            super.add(document, position, collection);
        }
    }

    @Override
    public synchronized Object remove(Document document) {
        return covers(document) ? super.remove(document) : null;
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position,
                              MongoCollection<Object> collection) {
        boolean was = covers(oldDocument);
        boolean is = covers(newDocument);
        if (was && is) {
            super.updateInPlace(oldDocument, newDocument, position, collection);
            return;
        }
        if (was) {
            super.remove(oldDocument);
        }
        if (is) {
            super.add(newDocument, position, collection);
        }
    }

    /** Only {@link IndexScan}s read it: an exact lookup would need the {@code _id} too. */
    @Override
    public synchronized boolean canHandle(Document query) {
        return false;
    }

    @Override
    boolean servesQueryWith(Map<String, List<Object>> conditions) {
        if (partialFilter == null) {
            return true;
        }
        for (Map.Entry<String, Object> condition : partialFilter.entrySet()) {
            if (!(condition.getValue() instanceof Document d && d.size() == 1 && Boolean.TRUE.equals(d.get("$exists"))
                    && impliesExists(conditions.getOrDefault(condition.getKey(), List.of())))) {
                return false;
            }
        }
        return true;
    }

    /** A condition that only a present, non-null value meets. */
    private static boolean impliesExists(List<Object> conditions) {
        for (Object condition : conditions) {
            if (condition instanceof Document d) {
                for (String operator : List.of("$gt", "$gte", "$lt", "$lte", "$eq")) {
                    if (d.get(operator) != null) {
                        return true;
                    }
                }
            } else if (condition != null && !(condition instanceof List<?>)) {
                return true;
            }
        }
        return false;
    }
}
