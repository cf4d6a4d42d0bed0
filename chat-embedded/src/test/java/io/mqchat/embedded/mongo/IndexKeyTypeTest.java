package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

import org.h2.mvstore.WriteBuffer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IndexKeyTypeTest {

    private static final IndexKeyType TYPE = IndexKeyType.INSTANCE;

    /** Values of every kind a normalized key holds, and a few it may hold besides (sub-documents, arrays). */
    private static List<Object> sampleValues() {
        List<Object> values = new ArrayList<>();
        values.add(null);
        values.add(true);
        values.add(false);
        for (double d : new double[] {0.0, 1.0, -1.5, 1e300, Double.NaN, Double.NEGATIVE_INFINITY}) {
            values.add(d);
        }
        values.add(Long.MAX_VALUE);
        values.add(9_007_199_254_740_993L);
        for (String s : new String[] {"", "a", "b", "ab", "conv|d|alice|bob", "ünïcödé", "\u0000x", "😀"}) {
            values.add(s);
        }
        values.add(new ObjectId("0123456789abcdef01234567"));
        values.add(new ObjectId("0123456789abcdef01234568"));
        values.add(Instant.ofEpochMilli(1_700_000_000_000L));
        values.add(Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
        values.add(new Document("a", 1.0).append("b", "x"));
        values.add(new Document("b", "x").append("a", 1.0));
        values.add(List.of(1.0, "two"));
        values.add(List.of("two", 1.0));
        return values;
    }

    private static List<KeyValue> sampleKeys() {
        List<Object> values = sampleValues();
        List<KeyValue> keys = new ArrayList<>();
        for (Object value : values) {
            keys.add(new KeyValue(new ArrayList<>(java.util.Collections.singletonList(value))));
        }
        Random random = new Random(7);
        for (int i = 0; i < 150; i++) {
            keys.add(new KeyValue(new ArrayList<>(java.util.Arrays.asList(values.get(random.nextInt(values.size())),
                    values.get(random.nextInt(values.size()))))));
        }
        return keys;
    }

    @Test
    void aKeyReadsBackEqualAndComparesEqualToItself() {
        for (KeyValue key : sampleKeys()) {
            KeyValue read = roundTrip(key);
            assertThat(read).as("%s", key).isEqualTo(key);
            assertThat(TYPE.compare(read, key)).as("%s", key).isZero();
        }
    }

    /** The order is the order of the index map on disk: equal exactly when equal, and a total order. */
    @Test
    void theOrderAgreesWithEqualityAndIsTotal() {
        List<KeyValue> keys = sampleKeys();
        for (KeyValue a : keys) {
            for (KeyValue b : keys) {
                int ab = TYPE.compare(a, b);
                assertThat(ab == 0).as("%s vs %s", a, b).isEqualTo(a.equals(b));
                assertThat(Integer.signum(TYPE.compare(b, a))).as("%s vs %s", b, a).isEqualTo(-Integer.signum(ab));
            }
        }
        List<KeyValue> sorted = new ArrayList<>(keys);
        sorted.sort(TYPE::compare);
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                assertThat(TYPE.compare(sorted.get(i), sorted.get(j))).isLessThanOrEqualTo(0);
            }
        }
    }

    @Test
    void aShorterKeyComesBeforeALongerOneItPrefixes() {
        assertThat(TYPE.compare(new KeyValue("a"), new KeyValue("a", 1.0))).isNegative();
    }

    private static KeyValue roundTrip(KeyValue key) {
        WriteBuffer buffer = new WriteBuffer();
        TYPE.write(buffer, key);
        java.nio.ByteBuffer bytes = buffer.getBuffer();
        bytes.flip();
        KeyValue read = TYPE.read(bytes);
        assertThat(bytes.remaining()).isZero();
        return read;
    }
}
