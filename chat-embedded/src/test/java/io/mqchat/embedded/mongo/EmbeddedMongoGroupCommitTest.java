package io.mqchat.embedded.mongo;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EmbeddedMongoGroupCommitTest {

    @TempDir
    Path dir;

    private final List<MongoClient> clients = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void closeClients() {
        clients.forEach(MongoClient::close);
        threads.shutdownNow();
    }

    /** Concurrent inserts from separate connections share commits, and every one of them is stored. */
    @Test
    void concurrentWritesShareCommits() throws Exception {
        int writers = 8;
        int insertsEach = 150;
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(dir.resolve("group.mv"), 0)) {
            List<MongoCollection<Document>> collections = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                collections.add(collection(mongo));
            }
            collections.get(0).insertOne(new Document("_id", "first")); // the collection exists before the race
            long commitsBefore = mongo.commits();
            long commandsBefore = mongo.commandsCommitted();

            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                MongoCollection<Document> c = collections.get(w);
                int writer = w;
                running.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < insertsEach; i++) {
                        c.insertOne(new Document("_id", writer + "-" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }

            long commits = mongo.commits() - commitsBefore;
            long commands = mongo.commandsCommitted() - commandsBefore;
            assertThat(commands).isEqualTo((long) writers * insertsEach);
            assertThat(commits).as("commits for %d insert commands", commands).isPositive().isLessThan(commands);
            assertThat(collections.get(0).countDocuments()).isEqualTo(writers * insertsEach + 1L);
            assertThat(mongo.failedCommits()).isZero();
        }
    }

    @Test
    void readsDoNotWaitForACommitWritesDo() {
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(dir.resolve("reads.mv"), 0)) {
            MongoCollection<Document> c = collection(mongo);
            c.insertOne(new Document("_id", 1));
            long commands = mongo.commandsCommitted();
            c.find().first();
            c.countDocuments(); // an aggregate without $out or $merge
            assertThat(mongo.commandsCommitted()).isEqualTo(commands);
            c.deleteOne(new Document("_id", 1));
            assertThat(mongo.commandsCommitted()).isEqualTo(commands + 1);
        }
    }

    @Test
    void fsyncSyncsTheFileAfterEachCommitOnlyWhenOn() {
        try (EmbeddedMongo synced = EmbeddedMongo.onFile(dir.resolve("synced.mv"), 0, true);
             EmbeddedMongo unsynced = EmbeddedMongo.onFile(dir.resolve("unsynced.mv"), 0, false)) {
            collection(synced).insertOne(new Document("_id", 1));
            collection(unsynced).insertOne(new Document("_id", 1));
            assertThat(synced.commits()).isPositive();
            assertThat(synced.fileSyncs()).isEqualTo(synced.commits());
            assertThat(unsynced.commits()).isPositive();
            assertThat(unsynced.fileSyncs()).isZero();
        }
    }

    /**
     * Commands that were waiting for a commit that fails get error replies, not "ok"; the next commit is
     * led by a later command and succeeds.
     */
    @Test
    void aFailedCommitFailsEveryCommandItCovered() throws Exception {
        CountDownLatch releaseFirstCommit = new CountDownLatch(1);
        AtomicInteger commitCalls = new AtomicInteger();
        EmbeddedMongo.CommitHook hook = storeCommit -> {
            int call = commitCalls.incrementAndGet();
            if (call == 1) {
                awaitUninterruptibly(releaseFirstCommit);
            } else if (call == 2) {
                throw new IllegalStateException("disk full");
            }
            storeCommit.run();
        };
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(dir.resolve("failing.mv"), 0, false, hook)) {
            List<MongoCollection<Document>> collections = List.of(collection(mongo), collection(mongo),
                    collection(mongo), collection(mongo));
            // the first insert leads commit 1 and stays in it; the others arrive meanwhile and wait for commit 2
            CompletableFuture<Void> leader = insertAsync(collections.get(0), "leader");
            await().atMost(10, TimeUnit.SECONDS).until(() -> mongo.waitingCommands() == 1);
            List<CompletableFuture<Void>> followers = List.of(insertAsync(collections.get(1), "f1"),
                    insertAsync(collections.get(2), "f2"), insertAsync(collections.get(3), "f3"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> mongo.waitingCommands() == 4);
            releaseFirstCommit.countDown();

            leader.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Void> follower : followers) {
                assertThatThrownBy(() -> follower.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(MongoException.class)
                        .hasMessageContaining("could not be committed").hasMessageContaining("disk full");
            }
            assertThat(mongo.failedCommits()).isEqualTo(1);
            assertThat(commitCalls).hasValue(2);

            collections.get(0).insertOne(new Document("_id", "after"));
            assertThat(commitCalls).hasValue(3);
        }
    }

    /** Stopping the server releases the commands waiting for a stuck commit at once, not after the wait limit. */
    @Test
    void stopReleasesCommandsWaitingForACommit() throws Exception {
        CountDownLatch releaseCommit = new CountDownLatch(1);
        AtomicInteger commitCalls = new AtomicInteger();
        EmbeddedMongo.CommitHook hook = storeCommit -> {
            if (commitCalls.incrementAndGet() == 1) {
                awaitUninterruptibly(releaseCommit);
            }
            storeCommit.run();
        };
        EmbeddedMongo mongo = EmbeddedMongo.onFile(dir.resolve("stopping.mv"), 0, false, hook);
        try {
            CompletableFuture<Void> leader = insertAsync(collection(mongo), "leader");
            await().atMost(10, TimeUnit.SECONDS).until(() -> mongo.waitingCommands() == 1);
            List<CompletableFuture<Void>> followers = List.of(insertAsync(collection(mongo), "f1"),
                    insertAsync(collection(mongo), "f2"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> mongo.waitingCommands() == 3);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(mongo::stop, threads);
            // well within the followers' own wait limit
            assertThat(EmbeddedMongo.MAX_COMMIT_WAIT).isGreaterThan(java.time.Duration.ofSeconds(5));
            await().atMost(3, TimeUnit.SECONDS).until(() -> mongo.waitingCommands() == 1);
            for (CompletableFuture<Void> follower : followers) {
                assertThatThrownBy(() -> follower.get(5, TimeUnit.SECONDS))
                        .cause().isInstanceOf(MongoException.class);
            }
            assertThat(stopping).isNotDone(); // the leader's event loop is still in its commit

            releaseCommit.countDown();
            stopping.get(20, TimeUnit.SECONDS);
            leader.handle((ok, failed) -> null).get(10, TimeUnit.SECONDS);
        } finally {
            releaseCommit.countDown();
            mongo.close();
        }
    }

    private MongoCollection<Document> collection(EmbeddedMongo mongo) {
        // each client its own connections; with fewer of them than the server has event loops, each on a loop
        // of its own, so a command stuck in a commit holds up no other test client's command
        MongoClient client = MongoClients.create(mongo.uri("t") + "?serverSelectionTimeoutMS=2000");
        clients.add(client);
        return client.getDatabase("t").getCollection("c");
    }

    private CompletableFuture<Void> insertAsync(MongoCollection<Document> c, String id) {
        return CompletableFuture.runAsync(() -> c.insertOne(new Document("_id", id)), threads);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the commit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
