package io.mqchat.embedded.mongo;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queries answered by an index scan return what mongo-java-server's own backend returns by reading every
 * document: the same documents, in the same order where a sort is given, for data that is not only the
 * well-formed case (missing fields, strings and huge longs where numbers are expected, NaN, arrays).
 */
class IndexScanTest {

    private static EmbeddedMongo typed;
    private static MongoServer plainServer;
    private static MongoClient typedClient;
    private static MongoClient plainClient;

    @BeforeAll
    static void start() {
        typed = EmbeddedMongo.inMemory();
        plainServer = new MongoServer(new H2Backend(new MVStore.Builder().open()));
        typedClient = MongoClients.create(typed.uri("t"));
        plainClient = MongoClients.create("mongodb://127.0.0.1:" + plainServer.bind().getPort());
        for (MongoClient client : List.of(typedClient, plainClient)) {
            MongoCollection<Document> c = messages(client);
            c.createIndex(Indexes.ascending("conv", "seq"), new IndexOptions().unique(true).sparse(true));
            c.createIndex(Indexes.ascending("from", "cid"), new IndexOptions().unique(true));
            c.createIndex(Indexes.ascending("tags", "n"), new IndexOptions().unique(true).sparse(true));
            c.insertMany(documents());
            MongoCollection<Document> events = client.getDatabase("t").getCollection("events");
            events.createIndex(Indexes.ascending("conv", "ts"));
            events.createIndex(Indexes.ascending("user", "recalledAt"),
                    new IndexOptions().partialFilterExpression(Filters.exists("recalledAt")));
            events.insertMany(events());
        }
    }

    /** For the non-unique indexes: repeated keys, missing fields, and few documents in the partial index. */
    private static List<Document> events() {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Document d = new Document("_id", "e" + i).append("conv", "c" + (i % 2)).append("ts", 1000L + i / 4)
                    .append("user", "u" + (i % 4));
            if (i % 25 == 0) {
                d.append("recalledAt", 5000L + i);
            }
            if (i % 50 == 7) {
                d.remove("ts");
            }
            docs.add(d);
        }
        return docs;
    }

    private static MongoCollection<Document> events(MongoClient client) {
        return client.getDatabase("t").getCollection("events");
    }

    @Test
    void nonUniqueAndPartialIndexesAnswerLikeAFullRead() {
        sameEvents(c -> c.find(Filters.and(Filters.eq("conv", "c1"), Filters.lt("ts", 1030L))).sort(Sorts.descending("ts")).limit(5));
        sameEvents(c -> c.find(Filters.eq("conv", "c0")).sort(Sorts.ascending("ts")));
        sameEvents(c -> c.find(Filters.and(Filters.eq("user", "u0"), Filters.gte("recalledAt", 5000L)))
                .sort(Sorts.ascending("recalledAt")));
        // the partial index holds only recalled events: a query that does not imply it reads them all
        List<Document> all = events(typedClient).find(Filters.eq("user", "u0")).into(new ArrayList<>());
        assertThat(all).hasSize(50).containsExactlyInAnyOrderElementsOf(
                events(plainClient).find(Filters.eq("user", "u0")).into(new ArrayList<>()));
    }

    /** Sync's "recalled since": an $or of two partial-index queries, one with an $in; read from the indexes. */
    @Test
    void anOrOfIndexedBranchesAndAnInReadOnlyTheirDocuments() {
        Function<MongoCollection<Document>, FindIterable<Document>> recalled = c -> c.find(Filters.or(
                        Filters.and(Filters.eq("user", "u0"), Filters.gte("recalledAt", 5050L)),
                        Filters.and(Filters.in("user", List.of("u1", "u2")), Filters.gte("recalledAt", 0L))))
                .sort(Sorts.ascending("recalledAt", "_id"));
        sameEvents(recalled);
        TypedCollection collection = typed.collection("t", "events");
        long before = collection.documentsScanned();
        assertThat(recalled.apply(events(typedClient)).into(new ArrayList<>())).extracting(d -> d.get("_id"))
                .containsExactly("e25", "e50", "e100", "e125", "e150");
        // the recalled events of u0 (e0, e100), u1 (e25, e125) and u2 (e50, e150): not the 200 events
        assertThat(collection.documentsScanned() - before).isEqualTo(6);
        sameEvents(c -> c.find(Filters.in("conv", List.of("c0", "c1"))).sort(Sorts.ascending("_id")));
        sameEvents(c -> c.find(Filters.or(Filters.eq("conv", "c1"), Filters.eq("user", "u2"))).sort(Sorts.ascending("_id")));
        // one branch without an index: the whole collection, as before
        sameEvents(c -> c.find(Filters.or(Filters.eq("conv", "c1"), Filters.eq("ts", 1001L))).sort(Sorts.ascending("_id")));
    }

    /** A page from the non-unique (conv, ts) index reads about a page; the partial index only its documents. */
    @Test
    void nonUniqueIndexPagesReadAPage() {
        TypedCollection collection = typed.collection("t", "events");
        long before = collection.documentsScanned();
        assertThat(events(typedClient).find(Filters.and(Filters.eq("conv", "c0"), Filters.lt("ts", 1040L)))
                .sort(Sorts.descending("ts")).limit(3).into(new ArrayList<>())).hasSize(3);
        assertThat(collection.documentsScanned() - before).isBetween(3L, 5L);
        before = collection.documentsScanned();
        assertThat(events(typedClient).find(Filters.and(Filters.eq("user", "u0"), Filters.gte("recalledAt", 0L)))
                .into(new ArrayList<>())).extracting(d -> d.get("_id")).containsExactly("e0", "e100");
        assertThat(collection.documentsScanned() - before).isEqualTo(2);
    }

    private static void sameEvents(Function<MongoCollection<Document>, FindIterable<Document>> query) {
        List<Object> expected = ids(query.apply(events(plainClient)).into(new ArrayList<>()));
        List<Object> actual = ids(query.apply(events(typedClient)).into(new ArrayList<>()));
        assertThat(actual).isEqualTo(expected).isNotEmpty();
    }

    @AfterAll
    static void stop() {
        typedClient.close();
        plainClient.close();
        typed.close();
        plainServer.shutdownNow();
    }

    private static List<Document> documents() {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            docs.add(new Document("_id", "m" + i).append("conv", "c" + (i % 3)).append("seq", i / 3 + 1)
                    .append("from", "u" + (i % 5)).append("cid", "k" + i).append("ts", 1000L - i));
        }
        // a conversation whose seqs are not all numbers: the index order is not MongoDB's order there
        docs.add(new Document("_id", "odd1").append("conv", "mixed").append("seq", "seven").append("from", "x").append("cid", "1"));
        docs.add(new Document("_id", "odd2").append("conv", "mixed").append("seq", 3).append("from", "x").append("cid", "2"));
        docs.add(new Document("_id", "odd3").append("conv", "mixed").append("from", "x").append("cid", "3"));
        docs.add(new Document("_id", "odd4").append("conv", "mixed").append("seq", 9_007_199_254_740_993L).append("from", "x").append("cid", "4"));
        docs.add(new Document("_id", "odd5").append("conv", "mixed").append("seq", 2.5).append("from", "x").append("cid", "5"));
        docs.add(new Document("_id", "nan").append("conv", "nan").append("seq", Double.NaN).append("from", "x").append("cid", "6"));
        docs.add(new Document("_id", "nan2").append("conv", "nan").append("seq", 1).append("from", "x").append("cid", "7"));
        // arrays: one document in the index once per element
        docs.add(new Document("_id", "a1").append("tags", List.of("red", "blue")).append("n", 1).append("from", "y").append("cid", "1"));
        docs.add(new Document("_id", "a2").append("tags", List.of("red")).append("n", 2).append("from", "y").append("cid", "2"));
        return docs;
    }

    private static MongoCollection<Document> messages(MongoClient client) {
        return client.getDatabase("t").getCollection("messages");
    }

    @Test
    void scansReturnWhatAFullReadReturns() {
        Bson byConv = Filters.eq("conv", "c1");
        same(c -> c.find(byConv).sort(Sorts.descending("seq")).limit(1));
        same(c -> c.find(Filters.and(byConv, Filters.gt("seq", 5))).sort(Sorts.ascending("seq")).limit(10));
        same(c -> c.find(Filters.and(byConv, Filters.lt("seq", 20))).sort(Sorts.descending("seq")).skip(2).limit(7));
        same(c -> c.find(Filters.and(byConv, Filters.gte("seq", 3), Filters.lte("seq", 9))).sort(Sorts.descending("seq")));
        same(c -> c.find(Filters.and(byConv, Filters.gt("seq", 95))).sort(Sorts.ascending("seq")));
        same(c -> c.find(Filters.and(byConv, Filters.lt("seq", 0))).sort(Sorts.descending("seq")));
        same(c -> c.find(Filters.and(byConv, Filters.eq("from", "u1"))).sort(Sorts.ascending("seq")));
        same(c -> c.find(byConv).sort(Sorts.descending("ts")).limit(5));
        same(c -> c.find(Filters.and(Filters.eq("_id", "m42"), Filters.lt("seq", 100))));
        same(c -> c.find(Filters.and(Filters.eq("_id", "m42"), Filters.lt("seq", 2))));
        same(c -> c.find(Filters.and(Filters.eq("from", "u2"), Filters.gt("cid", "k2"))).sort(Sorts.ascending("cid")));
        for (String conv : List.of("mixed", "nan")) {
            Bson eq = Filters.eq("conv", conv);
            same(c -> c.find(eq).sort(Sorts.ascending("seq")));
            same(c -> c.find(eq).sort(Sorts.descending("seq")).limit(2));
            same(c -> c.find(Filters.and(eq, Filters.lt("seq", 5))).sort(Sorts.descending("seq")));
            same(c -> c.find(Filters.and(eq, Filters.gt("seq", 1))).sort(Sorts.ascending("seq")));
        }
        same(c -> c.find(Filters.eq("tags", "red")).sort(Sorts.ascending("n")));
        same(c -> c.find(Filters.eq("tags", "red")).sort(Sorts.descending("n")).limit(1));
        same(c -> c.find(Filters.and(Filters.eq("conv", "nobody"), Filters.gt("seq", 1))).sort(Sorts.ascending("seq")));
    }

    @Test
    void unsortedScansReturnTheSameDocuments() {
        sameSet(c -> c.find(Filters.eq("conv", "c2")));
        sameSet(c -> c.find(Filters.and(Filters.eq("conv", "c0"), Filters.gt("seq", 90))));
        sameSet(c -> c.find(Filters.eq("tags", "red")));
        sameSet(c -> c.find(Filters.and(Filters.eq("conv", "mixed"), Filters.exists("seq", false))));
        assertThat(messages(typedClient).countDocuments(Filters.and(Filters.eq("conv", "c0"), Filters.gt("seq", 90))))
                .isEqualTo(messages(plainClient).countDocuments(Filters.and(Filters.eq("conv", "c0"), Filters.gt("seq", 90))))
                .isEqualTo(10);
    }

    /** A page of a long conversation reads about one page of documents, not the conversation. */
    @Test
    void aPageReadsOnlyAPage() {
        TypedCollection collection = typed.collection("t", "messages");
        long before = collection.documentsScanned();
        List<Document> page = messages(typedClient).find(Filters.and(Filters.eq("conv", "c1"), Filters.lt("seq", 60)))
                .sort(Sorts.descending("seq")).limit(10).into(new ArrayList<>());
        assertThat(page).extracting(d -> d.get("seq")).containsExactly(59, 58, 57, 56, 55, 54, 53, 52, 51, 50);
        assertThat(collection.documentsScanned() - before).isBetween(10L, 12L);

        before = collection.documentsScanned();
        assertThat(messages(typedClient).find(Filters.eq("conv", "c2")).sort(Sorts.descending("seq")).first())
                .containsEntry("seq", 100);
        assertThat(collection.documentsScanned() - before).isEqualTo(1);
    }

    /** A conditional update on the id and another field (the summaries' upsert) finds its document. */
    @Test
    void aConditionalUpdateByIdMatchesOnlyWhenTheConditionHolds() {
        MongoCollection<Document> c = messages(typedClient);
        assertThat(c.updateOne(Filters.and(Filters.eq("_id", "m7"), Filters.lt("seq", 2)), Updates.set("x", 1))
                .getMatchedCount()).isZero();
        assertThat(c.updateOne(Filters.and(Filters.eq("_id", "m7"), Filters.lt("seq", 100)), Updates.set("x", 1))
                .getModifiedCount()).isEqualTo(1);
        assertThat(c.find(Filters.eq("_id", "m7")).first()).containsEntry("x", 1);
    }

    private static void same(Function<MongoCollection<Document>, FindIterable<Document>> query) {
        List<Document> expected = query.apply(messages(plainClient)).into(new ArrayList<>());
        List<Document> actual = query.apply(messages(typedClient)).into(new ArrayList<>());
        assertThat(ids(actual)).isEqualTo(ids(expected));
    }

    private static void sameSet(Function<MongoCollection<Document>, FindIterable<Document>> query) {
        List<Document> expected = query.apply(messages(plainClient)).into(new ArrayList<>());
        List<Document> actual = query.apply(messages(typedClient)).into(new ArrayList<>());
        assertThat(ids(actual)).containsExactlyInAnyOrderElementsOf(ids(expected)).isNotEmpty();
    }

    private static List<Object> ids(List<Document> docs) {
        return docs.stream().map(d -> d.get("_id")).toList();
    }
}
