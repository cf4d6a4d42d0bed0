package io.mqchat.broker.store;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Group commit, duplicate handling and deadlines of the message store, on a real MongoDB wire server. */
class MessageStoreTest {

    private EmbeddedMongo mongo;
    private MongoClient client;
    private MongoCollection<Document> messages;
    private ExecutorService readers;
    private SimpleMeterRegistry metrics;
    private MessageStore store;

    @BeforeEach
    void start() {
        mongo = EmbeddedMongo.inMemory();
        client = MongoClients.create(mongo.uri("mqchat"));
        MongoDatabase db = client.getDatabase("mqchat");
        StoreSchema.ensureIndexes(db);
        messages = db.getCollection(StoreSchema.MESSAGES);
        readers = Executors.newFixedThreadPool(2);
        metrics = new SimpleMeterRegistry();
        store = new MessageStore(messages, 100, 1, readers, metrics);
    }

    @AfterEach
    void stop() {
        store.close();
        readers.shutdownNow();
        client.close();
        mongo.close();
    }

    private static ChatMessage message(String conv, long seq, String from, String cid) {
        return new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), seq, from, "bob", System.currentTimeMillis(), "phone",
                cid, "text", TextNode.valueOf("m" + seq));
    }

    private static long inFiveSeconds() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    }

    @Test
    void concurrentInsertsShareBatches() throws Exception {
        List<CompletableFuture<MessageStore.Outcome>> results = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            results.add(store.insert(message("d:alice:bob", i, "alice", "c" + i), inFiveSeconds()));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(results).allSatisfy(r -> assertThat(r.get()).isInstanceOf(MessageStore.Stored.class));
        assertThat(messages.countDocuments()).isEqualTo(1000);
        long writes = metrics.get("mqchat.store.batch.size").summary().count();
        assertThat(writes).as("insertMany calls for 1000 messages").isLessThan(100);
        assertThat(metrics.get("mqchat.store.batch.size").summary().max()).isLessThanOrEqualTo(100);
    }

    @Test
    void aRepeatedCidYieldsTheOriginalEvenInTheSameBatch() throws Exception {
        ChatMessage first = message("d:alice:bob", 1, "alice", "same");
        ChatMessage retry = message("d:alice:bob", 2, "alice", "same");
        ChatMessage other = message("d:alice:bob", 3, "alice", "other");
        var r1 = store.insert(first, inFiveSeconds());
        var r2 = store.insert(retry, inFiveSeconds());
        var r3 = store.insert(other, inFiveSeconds());
        assertThat(r1.get(10, TimeUnit.SECONDS)).isEqualTo(new MessageStore.Stored(first));
        MessageStore.Outcome second = r2.get(10, TimeUnit.SECONDS);
        assertThat(second).isInstanceOf(MessageStore.Duplicate.class);
        assertThat(((MessageStore.Duplicate) second).original().id()).isEqualTo(first.id());
        assertThat(r3.get(10, TimeUnit.SECONDS)).isInstanceOf(MessageStore.Stored.class);
        assertThat(messages.countDocuments()).isEqualTo(2);
    }

    @Test
    void aTakenSeqIsReportedAsAConflictNotAsADuplicate() throws Exception {
        store.insert(message("d:alice:bob", 7, "alice", "a"), inFiveSeconds()).get(10, TimeUnit.SECONDS);
        MessageStore.Outcome outcome = store.insert(message("d:alice:bob", 7, "bob", "b"), inFiveSeconds())
                .get(10, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(MessageStore.SeqConflict.class);
        assertThat(store.maxSeq("d:alice:bob").get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(store.maxSeq("d:carol:dave").get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aMessagePastItsDeadlineIsNotWritten() {
        CompletableFuture<MessageStore.Outcome> late = store.insert(message("d:alice:bob", 1, "alice", "late"),
                System.nanoTime() - 1);
        assertThat(late).failsWithin(10, TimeUnit.SECONDS);
        assertThat(messages.countDocuments()).isZero();
    }

    @Test
    void aMessageTheStoreRefusesFailsAloneNotItsBatch() throws Exception {
        // larger than MongoDB's 16 MB document limit: the driver refuses the whole insertMany it is in
        String huge = "x".repeat(17 * 1024 * 1024);
        List<CompletableFuture<MessageStore.Outcome>> others = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            others.add(store.insert(message("d:carol:dave", i, "carol", "ok" + i), inFiveSeconds()));
        }
        CompletableFuture<MessageStore.Outcome> bad = store.insert(new ChatMessage(new ObjectId().toHexString(),
                ConversationId.of("d:alice:bob"), 1, "alice", "bob", System.currentTimeMillis(), "phone", "big", "text",
                TextNode.valueOf(huge)), inFiveSeconds());
        for (int i = 51; i <= 100; i++) {
            others.add(store.insert(message("d:carol:dave", i, "carol", "ok" + i), inFiveSeconds()));
        }
        CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(others).allSatisfy(r -> assertThat(r.get()).isInstanceOf(MessageStore.Stored.class));
        assertThat(bad).failsWithin(30, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(io.mqchat.common.protocol.ProtocolException.class,
                        e -> assertThat(e.error()).isEqualTo(io.mqchat.common.protocol.ProtocolError.INVALID_FIELD));
        assertThat(messages.countDocuments()).isEqualTo(100);
    }

    @Test
    void bodiesComeBackExactlyAsSent() throws Exception {
        String[] bodies = {"{\"\\u0000\":1}", "{\"$numberLong\":\"1\"}", "{\"$regex\":\"a.*\",\"$options\":\"i\"}",
                "{\"$binary\":{\"base64\":\"AA==\",\"subType\":\"00\"}}", "{\"a.b\":{\"$oid\":\"x\"}}",
                "[1,2.50,1e400,-0,12345678901234567890123]", "true", "{\"\":\"\\u0000\"}"};
        for (int i = 0; i < bodies.length; i++) {
            com.fasterxml.jackson.databind.JsonNode body = io.mqchat.common.protocol.Json.MAPPER.readTree(bodies[i]);
            ChatMessage sent = new ChatMessage(new ObjectId().toHexString(), ConversationId.of("d:alice:bob"), i + 1, "alice", "bob",
                    System.currentTimeMillis(), "phone", "b" + i, "card", body);
            assertThat(store.insert(sent, inFiveSeconds()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(MessageStore.Stored.class);
            ChatMessage read = store.findByClientId("alice", "b" + i).get(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(read.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8)).as(bodies[i])
                    .isEqualTo(new String(sent.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
