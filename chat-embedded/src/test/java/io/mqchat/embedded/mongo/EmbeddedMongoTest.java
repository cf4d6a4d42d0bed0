package io.mqchat.embedded.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedMongoTest {

    @TempDir
    Path dir;

    /**
     * A write the client was told succeeded is already in the file: a copy of the file taken right after
     * the acknowledgement — what a crash at that moment would leave — holds every acknowledged document.
     * (H2's own background commit runs about once a second, so without commit-before-ack most of these
     * would be missing from the copy.)
     */
    @Test
    void acknowledgedWritesAreInTheFileBeforeTheAcknowledgement() throws Exception {
        Path file = dir.resolve("live.mv");
        Path crashCopy = dir.resolve("crash-copy.mv");
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(file, 0);
             MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("c");
            for (int batch = 0; batch < 20; batch++) {
                List<Document> docs = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    docs.add(new Document("_id", batch * 10 + i));
                }
                c.insertMany(docs, new InsertManyOptions().ordered(false));
            }
            c.insertOne(new Document("_id", "last"));
            Files.copy(file, crashCopy); // while the server still runs, right after the last acknowledgement
        }
        try (EmbeddedMongo recovered = EmbeddedMongo.onFile(crashCopy, 0);
             MongoClient client = MongoClients.create(recovered.uri("t"))) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("c");
            assertThat(c.countDocuments()).isEqualTo(201);
            assertThat(c.find(new Document("_id", "last")).first()).isNotNull();
        }
    }

    @Test
    void stoppedServerRefusesConnections() {
        EmbeddedMongo mongo = EmbeddedMongo.inMemory();
        int port = mongo.port();
        mongo.stop();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close())
                .isInstanceOf(java.net.ConnectException.class);
        mongo.close();
    }
}
