package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;

import org.h2.mvstore.MVMap;

import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * H2's collection, answering queries its indexes do not serve exactly by an {@link IndexScan} where one
 * applies instead of reading every document.
 */
final class TypedCollection extends H2Collection {

    /** Documents read by index scans (a measure of what a scan saves; tests read it). */
    private final LongAdder documentsScanned = new LongAdder();

    TypedCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                    MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                         int batchSize, Document fieldSelector) {
        List<Index<Object>> indexes = getIndexes();
        if (isNaturalOrder(orderBy) || indexes.stream().anyMatch(index -> index.canHandle(query))) {
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        QueryPlan plan = QueryPlan.of(indexes, query, orderBy);
        if (plan == null) {
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        IndexScan scan = plan.single();
        Boolean reverse = scan == null ? null : scan.reversedFor(orderBy);
        if (reverse == null) {
            return matchDocuments(query, plan.positions(), orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        Stream<Document> inOrder = StreamSupport.stream(Spliterators.spliteratorUnknownSize(
                        scan.positionsInOrder(reverse), Spliterator.ORDERED), false)
                .distinct()
                .map(this::scanned);
        return matchDocumentsFromStream(query, inOrder, numberToSkip, limit, batchSize, null, fieldSelector);
    }

    @Override
    protected QueryResult matchDocuments(Document query, Iterable<Object> positions, Document orderBy,
                                         int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        Stream<Document> documents = StreamSupport.stream(positions.spliterator(), false).map(this::scanned);
        return matchDocumentsFromStream(documents, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    /**
     * A copy of the stored document, never the instance in the map: the server's update changes the document it
     * read in place before it puts it back, and a commit may be writing that instance out at the same moment on
     * another thread (H2 then fails the commit and closes the store for good). Copies cost an allocation per
     * document read; the stored instance stays unchanged until it is replaced.
     */
    @Override
    protected Document getDocument(Object position) {
        Document stored = super.getDocument(position);
        return stored == null ? null : stored.cloneDeeply();
    }

    @Override
    protected Stream<DocumentWithPosition<Object>> streamAllDocumentsWithPosition() {
        return super.streamAllDocumentsWithPosition()
                .map(d -> new DocumentWithPosition<>(d.getDocument().cloneDeeply(), d.getPosition()));
    }

    private Document scanned(Object position) {
        documentsScanned.increment();
        return getDocument(position);
    }

    long documentsScanned() {
        return documentsScanned.sum();
    }

    /**
     * No running data size: it cost a BSON encoding of every written document and a metadata write, and only
     * {@code collStats}/{@code dbStats} report it (nothing here asks; they report the size last tracked).
     */
    @Override
    protected boolean tracksDataSize() {
        return false;
    }

    private static boolean isNaturalOrder(Document orderBy) {
        return orderBy != null && orderBy.containsKey("$natural");
    }
}
