package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentTypeTest {

    private final DocumentType type = new DocumentType();

    private static Document everyKind() {
        return new Document("_id", "65f0c0ffee0123456789abcd")
                .append("int", 42)
                .append("long", 1L << 40)
                .append("double", -0.0)
                .append("nan", Double.NaN)
                .append("decimal", new Decimal128(1, 2))
                .append("string", "héllo \u0000 😀")
                .append("bool", true)
                .append("null", null)
                .append("date", Instant.ofEpochMilli(1_700_000_000_123L))
                .append("oid", new ObjectId("0123456789abcdef01234567"))
                .append("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"))
                .append("ts", new BsonTimestamp(7L))
                .append("array", List.of(1, "two", new Document("three", 3.0)))
                .append("sub", new Document("z", 1).append("a", new Document("deep", List.of())));
    }

    @Test
    void aDocumentReadsBackEqualWithItsTypesAndFieldOrder() {
        Document original = everyKind();
        Document read = read(write(original));
        assertThat(read).isEqualTo(original);
        assertThat(List.copyOf(read.keySet())).isEqualTo(List.copyOf(original.keySet()));
        assertThat(read.get("int")).isInstanceOf(Integer.class);
        assertThat(read.get("long")).isInstanceOf(Long.class);
        assertThat(Double.doubleToRawLongBits((Double) read.get("double"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    /** Files written before this type hold Java-serialized documents under H2's tag: they are still read. */
    @Test
    void aDocumentWrittenByH2sDefaultTypeIsRead() {
        Document original = everyKind();
        WriteBuffer buffer = new WriteBuffer();
        new ObjectDataType().write(buffer, original);
        assertThat(read(buffer)).isEqualTo(original);
    }

    @Test
    void bsonIsSmallerThanJavaSerialization() {
        WriteBuffer legacy = new WriteBuffer();
        new ObjectDataType().write(legacy, everyKind());
        assertThat(write(everyKind()).position()).isLessThan(legacy.position() / 2);
    }

    private WriteBuffer write(Document document) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, document);
        return buffer;
    }

    private Document read(WriteBuffer buffer) {
        ByteBuffer bytes = buffer.getBuffer();
        bytes.flip();
        Document read = type.read(bytes);
        assertThat(bytes.remaining()).isZero();
        return read;
    }
}
