package io.mqchat.embedded.mongo;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Acknowledged means stored", tested by a real crash: several clients insert concurrently into a store in
 * another process, which is killed (SIGKILL, no shutdown hook, nothing flushed) while inserts are in flight;
 * the file, opened again, holds every insert any client was told had succeeded. H2's own background commit
 * runs about once a second, so without the commit before the reply the last second of acknowledged inserts
 * would be missing.
 */
class EmbeddedMongoCrashTest {

    private static final int CLIENTS = 6;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(booleans = {false, true})
    void everyAcknowledgedInsertSurvivesAKill(boolean fsync) throws Exception {
        Path file = dir.resolve("crash.mv");
        Process store = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MongoProcessForCrashTest.class.getName(),
                file.toString(), Boolean.toString(fsync))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            String uri = "mongodb://127.0.0.1:" + portOf(store) + "/t?serverSelectionTimeoutMS=2000";
            List<Future<?>> inserting = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                inserting.add(clients.submit(() -> insertUntilTheStoreDies(uri, client, acknowledged)));
            }
            // kill it mid-stream: the clients are still inserting
            await().atMost(60, TimeUnit.SECONDS).until(() -> acknowledged.size() >= 1500);
            store.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (Future<?> f : inserting) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            store.destroyForcibly();
            clients.shutdownNow();
        }

        try (EmbeddedMongo reopened = EmbeddedMongo.onFile(file, 0);
             MongoClient client = MongoClients.create(reopened.uri("t"))) {
            Set<String> stored = new HashSet<>();
            client.getDatabase("t").getCollection("c").find().forEach(d -> stored.add(d.getString("_id")));
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(1500);
            assertThat(stored).containsAll(acknowledged);
        }
    }

    private static void insertUntilTheStoreDies(String uri, int client, Set<String> acknowledged) {
        try (MongoClient mongo = MongoClients.create(uri)) {
            MongoCollection<Document> c = mongo.getDatabase("t").getCollection("c");
            for (int i = 0; ; i++) {
                String id = client + "-" + i;
                c.insertOne(new Document("_id", id).append("body", "x".repeat(100)));
                acknowledged.add(id);
            }
        } catch (MongoException storeGone) {
            // the kill: this insert was not acknowledged
        }
    }

    /** The port line comes after whatever the process logs; the rest of its output is drained (never blocks it). */
    private static int portOf(Process store) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(store.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("port ")) {
            // a log line
        }
        assertThat(line).as("the store process's port line").isNotNull();
        Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }), "drain-store-output");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring("port ".length()));
    }
}
