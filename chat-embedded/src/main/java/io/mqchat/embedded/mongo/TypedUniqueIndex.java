package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A unique index kept in an MVStore map whose keys are {@link IndexKeyType}: key → the document's position.
 * Besides the exact lookups mongo-java-server makes, it answers ordered scans over the entries whose first
 * keys are given ({@link IndexScan}).
 */
class TypedUniqueIndex extends AbstractUniqueIndex<Object> {

    private final MVMap<KeyValue, Object> keys;

    TypedUniqueIndex(MVMap<KeyValue, Object> keys, String name, List<IndexKey> indexKeys, boolean sparse) {
        super(name, indexKeys, sparse);
        this.keys = keys;
    }

    @Override
    protected Object removeDocument(KeyValue key) {
        return keys.remove(key);
    }

    @Override
    protected boolean putKeyPosition(KeyValue key, Object position) {
        return keys.putIfAbsent(key, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
        return keys.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue key) {
        return keys.get(key);
    }

    @Override
    public long getCount() {
        return keys.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    /** The index's field names, in order. */
    List<String> fieldNames() {
        return keys();
    }

    /** Whether a scan of this index finds every document a query with these conditions can match. */
    boolean servesQueryWith(Map<String, List<Object>> conditions) {
        return true;
    }

    /** The first entry's key among those starting with {@code prefix}, or null if there is none. */
    KeyValue firstWithPrefix(KeyValue prefix) {
        Cursor<KeyValue, Object> cursor = keys.cursor(prefix);
        return cursor.hasNext() && startsWith(cursor.next(), prefix) ? cursor.getKey() : null;
    }

    /** The last entry's key among those starting with {@code prefix}, or null if there is none. */
    KeyValue lastWithPrefix(KeyValue prefix) {
        Cursor<KeyValue, Object> cursor = keys.cursor(IndexKeyType.afterAllStartingWith(prefix), null, true);
        return cursor.hasNext() && startsWith(cursor.next(), prefix) ? cursor.getKey() : null;
    }

    /**
     * Positions of the entries whose keys start with {@code prefix}, in key order from {@code from} (a key
     * starting with the prefix; null: from the first or, reversed, the last such entry).
     */
    Iterator<Object> positions(KeyValue prefix, KeyValue from, boolean reverse) {
        KeyValue start = from != null ? from : reverse ? IndexKeyType.afterAllStartingWith(prefix) : prefix;
        Cursor<KeyValue, Object> cursor = keys.cursor(start, null, reverse);
        return new Iterator<>() {
            private Object next = advance();

            private Object advance() {
                return cursor.hasNext() && startsWith(cursor.next(), prefix) ? cursor.getValue() : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Object next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Object current = next;
                next = advance();
                return current;
            }
        };
    }

    private static boolean startsWith(KeyValue key, KeyValue prefix) {
        if (key.size() < prefix.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (IndexKeyType.compareValues(key.get(i), prefix.get(i)) != 0) {
                return false;
            }
        }
        return true;
    }
}
