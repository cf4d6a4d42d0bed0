package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.ObjectId;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys of a unique index (mongo-java-server's {@link KeyValue}: the indexed fields' normalized values) as
 * an MVStore type. H2's default type sees a KeyValue as an opaque serializable object and orders two of them
 * by Java-serializing both, on every comparison of every lookup and insert: that was over a quarter of the
 * embedded store's CPU. Here keys are compared value by value, without serializing, and written compactly.
 *
 * <p>This is a file format: the order it defines is the order of index maps on disk, so the tags and the
 * comparison must never change for maps written with them (a new format needs new map names).
 *
 * <p>Values of the common kinds (what normalized keys hold: null, booleans, doubles, longs too large for a
 * double, strings, object ids, dates) are ordered by kind, then naturally; any other value (a sub-document,
 * an array, a binary) by its Java serialization, as H2 did, so two keys are equal exactly when H2's type
 * found them equal.
 */
final class IndexKeyType extends BasicDataType<KeyValue> {

    static final IndexKeyType INSTANCE = new IndexKeyType();

    // tags: also the order of kinds
    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte DOUBLE = 3;
    private static final byte LONG = 4;
    private static final byte STRING = 5;
    private static final byte OBJECT_ID = 6;
    private static final byte INSTANT = 7;
    private static final byte SERIALIZED = 8;
    /** Only in keys to search from, never stored: greater than every value. */
    private static final byte AFTER_ALL_KIND = Byte.MAX_VALUE;

    private static final Object AFTER_ALL = new Object() {
        @Override
        public String toString() {
            return "(after all)";
        }
    };

    private IndexKeyType() {
    }

    /** A key to search from that is greater than every stored key starting with {@code prefix}. */
    static KeyValue afterAllStartingWith(KeyValue prefix) {
        return appended(prefix, AFTER_ALL);
    }

    /** {@code prefix} with one more value. */
    static KeyValue appended(KeyValue prefix, Object value) {
        List<Object> values = new ArrayList<>(prefix.size() + 1);
        prefix.forEach(values::add);
        values.add(value);
        return new KeyValue(values);
    }

    /** True if {@code value} is stored (and ordered) as a double: a normalized number. */
    static boolean isDouble(Object value) {
        return value instanceof Double;
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = compareValues(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    static int compareValues(Object a, Object b) {
        byte kindA = kind(a);
        byte kindB = kind(b);
        if (kindA != kindB) {
            return Byte.compare(kindA, kindB);
        }
        return switch (kindA) {
            case NULL, FALSE, TRUE, AFTER_ALL_KIND -> 0;
            case DOUBLE -> Double.compare((Double) a, (Double) b);
            case LONG -> Long.compare((Long) a, (Long) b);
            case STRING -> ((String) a).compareTo((String) b);
            case OBJECT_ID -> ((ObjectId) a).compareTo((ObjectId) b);
            case INSTANT -> ((Instant) a).compareTo((Instant) b);
            default -> ObjectDataType.compareNotNull(ObjectDataType.serialize(a), ObjectDataType.serialize(b));
        };
    }

    private static byte kind(Object value) {
        if (value == null) {
            return NULL;
        } else if (value == AFTER_ALL) {
            return AFTER_ALL_KIND;
        } else if (value instanceof Boolean bool) {
            return bool ? TRUE : FALSE;
        } else if (value instanceof Double) {
            return DOUBLE;
        } else if (value instanceof Long) {
            return LONG;
        } else if (value instanceof String) {
            return STRING;
        } else if (value.getClass() == ObjectId.class) {
            return OBJECT_ID;
        } else if (value instanceof Instant) {
            return INSTANT;
        }
        return SERIALIZED;
    }

    @Override
    public int getMemory(KeyValue key) {
        int memory = 48;
        for (Object value : key) {
            memory += value instanceof String s ? 40 + 2 * s.length() : 32;
        }
        return memory;
    }

    @Override
    public void write(WriteBuffer buff, KeyValue key) {
        buff.putVarInt(key.size());
        for (Object value : key) {
            byte kind = kind(value);
            if (kind == AFTER_ALL_KIND) {
                throw new IllegalArgumentException("a search key is never stored");
            }
            buff.put(kind);
            switch (kind) {
                case NULL, FALSE, TRUE -> {
                }
                case DOUBLE -> buff.putDouble((Double) value);
                case LONG -> buff.putLong((Long) value);
                case STRING -> {
                    String s = (String) value;
                    buff.putVarInt(s.length()).putStringData(s, s.length());
                }
                case OBJECT_ID -> buff.put(((ObjectId) value).toByteArray());
                case INSTANT -> {
                    Instant instant = (Instant) value;
                    buff.putLong(instant.getEpochSecond()).putInt(instant.getNano());
                }
                default -> {
                    byte[] data = ObjectDataType.serialize(value);
                    buff.putVarInt(data.length).put(data);
                }
            }
        }
    }

    @Override
    public KeyValue read(ByteBuffer buff) {
        int size = DataUtils.readVarInt(buff);
        List<Object> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(readValue(buff));
        }
        return new KeyValue(values);
    }

    private static Object readValue(ByteBuffer buff) {
        byte kind = buff.get();
        return switch (kind) {
            case NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case DOUBLE -> buff.getDouble();
            case LONG -> buff.getLong();
            case STRING -> DataUtils.readString(buff);
            case OBJECT_ID -> {
                byte[] id = new byte[12];
                buff.get(id);
                yield new ObjectId(id);
            }
            case INSTANT -> Instant.ofEpochSecond(buff.getLong(), buff.getInt());
            case SERIALIZED -> {
                byte[] data = new byte[DataUtils.readVarInt(buff)];
                buff.get(data);
                yield ObjectDataType.deserialize(data);
            }
            default -> throw DataUtils.newMVStoreException(DataUtils.ERROR_FILE_CORRUPT,
                    "unknown index key tag {0}", kind);
        };
    }
}
