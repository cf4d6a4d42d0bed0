package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;

/**
 * A collection's documents as an MVStore type, written as BSON. H2's default type Java-serializes each
 * document, which is slow and several times larger; every commit rewrites the pages it changed, so that cost
 * was paid again for every neighbour of a new document.
 *
 * <p>Documents written by the default type (files from before) are still read: their tag is H2's
 * serialized-object tag, which this type never writes. The other way round, a file written by this type
 * cannot be read by a version of the store that does not know it (H2 reports an unknown tag).
 *
 * <p>Everything in a stored document came from BSON (the wire) or from the server's own operators, which
 * produce BSON types, so BSON holds it exactly; dates keep milliseconds, as on the wire.
 */
final class DocumentType extends BasicDataType<Document> {

    /** H2's tag for a Java-serialized object ({@code ObjectDataType.TYPE_SERIALIZED_OBJECT}). */
    private static final byte LEGACY_SERIALIZED = 19;
    /** Not a tag of H2's default type, so older readers fail instead of misreading. */
    private static final byte BSON = 120;

    /** A running average of the encoded size, as the memory estimate of a document not yet written. */
    private volatile int averageSize = 1024;

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }

    @Override
    public int getMemory(Document document) {
        // objects on the heap take about twice their BSON size
        return 2 * averageSize;
    }

    @Override
    public void write(WriteBuffer buff, Document document) {
        ByteBuf bson = Unpooled.buffer(averageSize + 64);
        try {
            BsonEncoder.encodeDocument(document, bson);
            int size = bson.readableBytes();
            averageSize = (size + 15 * averageSize) / 16;
            buff.put(BSON).putVarInt(size).put(bson.nioBuffer());
        } finally {
            bson.release();
        }
    }

    @Override
    public Document read(ByteBuffer buff) {
        byte tag = buff.get();
        byte[] data = new byte[DataUtils.readVarInt(buff)];
        buff.get(data);
        return switch (tag) {
            case BSON -> BsonDecoder.decodeBson(Unpooled.wrappedBuffer(data));
            case LEGACY_SERIALIZED -> (Document) ObjectDataType.deserialize(data);
            default -> throw DataUtils.newMVStoreException(DataUtils.ERROR_FILE_CORRUPT,
                    "unknown document tag {0}", tag);
        };
    }

    @Override
    public int compare(Document a, Document b) {
        throw new UnsupportedOperationException("documents are values, never keys");
    }
}
