package io.mqchat.embedded.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Updates of the same few documents from many connections while commits write them out: the store must never see a
 * document change while it is being written (which closes the store for good).
 */
class ConcurrentUpdatesTest {

    @TempDir
    Path dir;

    @Test
    void manyUpdatesOfFewDocumentsNeverCloseTheStore() throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(dir.resolve("m.mv"), 0);
             MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("c");
            for (int i = 0; i < 20; i++) {
                c.insertOne(new Document("_id", i).append("n", 0).append("state", "pending").append("at", new Date()));
            }
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<?>> running = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            for (int t = 0; t < 8; t++) {
                int thread = t;
                running.add(threads.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        int id = (i + thread) % 20;
                        if (i % 2 == 0) {
                            c.findOneAndUpdate(Filters.eq("_id", id), Updates.combine(Updates.inc("n", 1),
                                    Updates.set("at", new Date()), Updates.set("error", "HTTP " + i)),
                                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
                        } else {
                            c.updateOne(Filters.eq("_id", id), Updates.combine(Updates.inc("n", 1),
                                    Updates.unset("error"), Updates.set("state", i % 4 == 1 ? "pending" : "done")));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertThat(mongo.failedCommits()).isZero();
            long total = 0;
            for (Document d : c.find()) {
                total += d.getInteger("n");
            }
            assertThat(total).isPositive();
        }
    }
}
