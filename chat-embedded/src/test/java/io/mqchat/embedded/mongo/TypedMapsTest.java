package io.mqchat.embedded.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's typed maps through a real MongoDB driver: unique indexes behave, files from before still open. */
class TypedMapsTest {

    @TempDir
    Path dir;

    @Test
    void uniqueIndexesRefuseDuplicatesAndFindByKeyAcrossARestart() {
        Path file = dir.resolve("typed.mv");
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(file, 0); MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> messages = messages(client);
            messages.createIndex(Indexes.ascending("conv", "seq"), new IndexOptions().unique(true));
            messages.createIndex(Indexes.ascending("from", "cid"), new IndexOptions().unique(true));
            messages.createIndex(Indexes.ascending("from", "body"));
            insertMessages(messages, 0, 500);
            assertDuplicates(messages);
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(file, 0); MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> messages = messages(client);
            assertThat(messages.countDocuments()).isEqualTo(500);
            assertDuplicates(messages);
            assertThat(messages.find(Filters.and(Filters.eq("from", "u3"), Filters.eq("cid", "c-333"))).first())
                    .extracting(d -> d.get("_id")).isEqualTo("m-333");
            // a key removed with its document can be taken again; an update moves a document's key
            messages.deleteOne(Filters.eq("_id", "m-10"));
            messages.insertOne(message(10).append("_id", "m-10b"));
            assertThatThrownBy(() -> messages.insertOne(message(11).append("_id", "m-11c").append("cid", "c-11c")))
                    .isInstanceOf(MongoWriteException.class);
            messages.updateOne(Filters.eq("_id", "m-11"), Updates.set("seq", 10_000));
            messages.insertOne(message(11).append("_id", "m-11b").append("cid", "c-11b"));
            assertThat(messages.countDocuments(Filters.eq("seq", 10_000))).isEqualTo(1);
            // the non-unique index came back with the file: a lookup by its first field reads its documents only
            TypedCollection collection = mongo.collection("t", "messages");
            long before = collection.documentsScanned();
            assertThat(messages.find(Filters.and(Filters.eq("from", "u4"), Filters.eq("body", "text 44"))).first())
                    .extracting(d -> d.get("_id")).isEqualTo("m-44");
            assertThat(collection.documentsScanned() - before).isEqualTo(1);
        }
    }

    /**
     * A file written by mongo-java-server's own H2 backend (Java-serialized documents and index keys under
     * the old map names) opens: documents are read, the indexes are rebuilt from them and enforced.
     */
    @Test
    void aFileWrittenWithH2sDefaultTypesOpensAndItsIndexesAreRebuilt() {
        Path file = dir.resolve("old.mv");
        MVStore oldStore = new MVStore.Builder().fileName(file.toString()).open();
        H2Backend oldBackend = new H2Backend(oldStore);
        MongoServer oldServer = new MongoServer(oldBackend);
        java.net.InetSocketAddress address = oldServer.bind();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
            MongoCollection<Document> messages = messages(client);
            messages.createIndex(Indexes.ascending("conv", "seq"), new IndexOptions().unique(true));
            messages.createIndex(Indexes.ascending("from", "cid"), new IndexOptions().unique(true));
            insertMessages(messages, 0, 300);
        }
        oldServer.shutdownNow();
        oldBackend.close();
        try (MVStore check = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            assertThat(check.getMapNames()).anyMatch(name -> name.endsWith("._index_conv_1_seq_1"));
        }

        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(file, 0); MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> messages = messages(client);
            assertThat(messages.countDocuments()).isEqualTo(300);
            assertThat(messages.find(Filters.eq("_id", "m-299")).first()).containsEntry("body", "text 299");
            assertDuplicates(messages);
            insertMessages(messages, 300, 400);
        }
        try (MVStore check = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            assertThat(check.getMapNames()).noneMatch(name -> name.contains("._index_"))
                    .anyMatch(name -> name.endsWith("._keys_conv_1_seq_1"));
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(file, 0); MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> messages = messages(client);
            assertThat(messages.countDocuments()).isEqualTo(400);
            assertDuplicates(messages);
        }
    }

    /** As in MongoDB, 7, 7L and 7.0 are one key. */
    @Test
    void numbersOfDifferentTypesAreOneKey() {
        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory(); MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("n");
            c.createIndex(Indexes.ascending("k"), new IndexOptions().unique(true));
            c.insertOne(new Document("k", 7));
            assertThatThrownBy(() -> c.insertOne(new Document("k", 7L))).isInstanceOf(MongoWriteException.class);
            assertThatThrownBy(() -> c.insertOne(new Document("k", 7.0))).isInstanceOf(MongoWriteException.class);
            c.insertOne(new Document("k", 7.5));
            assertThat(c.countDocuments()).isEqualTo(2);
        }
    }

    private static MongoCollection<Document> messages(MongoClient client) {
        return client.getDatabase("t").getCollection("messages");
    }

    private static Document message(int i) {
        return new Document("conv", "d|u" + (i % 7) + "|v").append("seq", i / 7 + 1)
                .append("from", "u" + (i % 10)).append("cid", "c-" + i).append("body", "text " + i);
    }

    private static void insertMessages(MongoCollection<Document> messages, int from, int to) {
        List<Document> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            batch.add(message(i).append("_id", "m-" + i));
        }
        messages.insertMany(batch);
    }

    private static void assertDuplicates(MongoCollection<Document> messages) {
        assertThatThrownBy(() -> messages.insertOne(message(42).append("_id", "other-conv-seq").append("cid", "new")))
                .isInstanceOfSatisfying(MongoWriteException.class,
                        e -> assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY));
        assertThatThrownBy(() -> messages.insertOne(message(43).append("_id", "other-cid").append("seq", 99_999)))
                .isInstanceOfSatisfying(MongoWriteException.class,
                        e -> assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY));
        assertThatThrownBy(() -> messages.insertOne(new Document("_id", "m-1")))
                .isInstanceOfSatisfying(MongoWriteException.class,
                        e -> assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY));
    }
}
