package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;

import org.h2.mvstore.MVMap;

import java.util.List;
import java.util.Map;

/** A unique index kept in an MVStore map whose keys are {@link IndexKeyType}: key → the document's position. */
final class TypedUniqueIndex extends AbstractUniqueIndex<Object> {

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
}
