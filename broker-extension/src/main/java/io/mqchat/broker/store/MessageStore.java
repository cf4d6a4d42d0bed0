package io.mqchat.broker.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.mqchat.common.schema.StoreSchema.Message;

/**
 * Writes messages to MongoDB with group commit: publishes that arrive while a write is in flight are
 * collected and written together in one unordered {@code insertMany}, so many concurrent senders share
 * round trips. A future completes only after MongoDB acknowledged the write — that is what the PUBACK
 * waits for.
 *
 * <p>Runs on its own writer threads; the broker's threads never block on MongoDB.
 *
 * <p>After a batch is stored (and its futures completed, so no PUBACK waits for it) the batch's messages
 * are handed to one summary thread, which folds everything pending into one bulk write of the
 * {@code conversations} summaries ({@link SummaryWriter}). Summaries are derived and repairable:
 * when that write fails, or too much is pending, it is logged and counted, never retried forever.
 */
public final class MessageStore implements MessageWrites, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);
    private static final int DUPLICATE_KEY = 11000;

    /** What happened to one message. */
    public sealed interface Outcome {
    }

    /** Stored as given. */
    public record Stored(ChatMessage message) implements Outcome {
    }

    /** A message with the same {@code (from, cid)} was stored before; this is the original. */
    public record Duplicate(ChatMessage original) implements Outcome {
    }

    /** The seq was taken already (the sequence counter was behind); allocate again. */
    public record SeqConflict() implements Outcome {
    }

    private record Pending(Document document, ChatMessage message, long deadlineNanos,
                           CompletableFuture<Outcome> result) {
    }

    private final MongoCollection<Document> messages;
    private final MongoCollection<Document> conversations;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final int batchSize;
    private final ExecutorService writers;
    private final ExecutorService readers;
    private final Timer writeTimer;
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;
    private final SummaryWriter summaries;
    private final BlockingQueue<List<ChatMessage>> summaryQueue = new LinkedBlockingQueue<>(MAX_PENDING_SUMMARY_BATCHES);
    private final Thread summaryThread;
    private final io.micrometer.core.instrument.Counter summaryFailures;
    private final io.micrometer.core.instrument.Counter failedBatches;

    /** How long the summary writer waits for more batches to fold into one write (summaries lag by this). */
    private static final long SUMMARY_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int MAX_SUMMARY_BATCHES_PER_WRITE = 64;

    /** Batches waiting for their summary update; beyond this they are dropped (and counted). */
    static final int MAX_PENDING_SUMMARY_BATCHES = 10_000;

    /** A store without conversation summaries. */
    public MessageStore(MongoCollection<Document> messages, int batchSize, int writerThreads,
                        ExecutorService readers, MeterRegistry metrics) {
        this(messages, null, batchSize, writerThreads, readers, metrics);
    }

    /**
     * @param conversations the {@code conversations} collection whose summaries this store maintains, or
     *                      null for none
     */
    public MessageStore(MongoCollection<Document> messages, MongoCollection<Document> conversations, int batchSize,
                        int writerThreads, ExecutorService readers, MeterRegistry metrics) {
        this.messages = messages;
        this.conversations = conversations;
        this.summaries = conversations == null ? null
                : new SummaryWriter(conversations, java.time.Clock.systemUTC());
        this.failedBatches = io.micrometer.core.instrument.Counter.builder("mqchat.store.batches.split")
                .description("batches refused as a whole and written one message at a time").register(metrics);
        this.summaryFailures = io.micrometer.core.instrument.Counter.builder("mqchat.summaries.failed")
                .description("stored messages whose conversation summary update failed or was dropped")
                .register(metrics);
        if (summaries != null) {
            summaryThread = new Thread(this::summaryLoop, "mqchat-summary-writer");
            summaryThread.setDaemon(true);
            summaryThread.start();
        } else {
            summaryThread = null;
        }
        this.batchSize = batchSize;
        this.readers = readers;
        this.writeTimer = Timer.builder("mqchat.store.write").description("insertMany round trip")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.batchSizes = DistributionSummary.builder("mqchat.store.batch.size")
                .description("messages per insertMany").register(metrics);
        this.writers = java.util.concurrent.Executors.newFixedThreadPool(writerThreads, r -> {
            Thread t = new Thread(r, "mqchat-store-writer");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < writerThreads; i++) {
            writers.execute(this::writeLoop);
        }
    }

    /**
     * Queues a message for the next batch. A message still queued at its deadline is not written at all
     * (its publish has been refused by then), so a refused publish is rarely stored behind the
     * client's back; a retry with the same cid is safe either way.
     */
    @Override
    public CompletableFuture<Outcome> insert(ChatMessage message, long deadlineNanos) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("message store is closed"));
            return result;
        }
        Document document;
        try {
            document = MessageDocuments.toDocument(message);
        } catch (RuntimeException e) {
            result.completeExceptionally(new ProtocolException(ProtocolError.INVALID_FIELD,
                    "the message cannot be stored: " + e.getMessage(), message.cid()));
            return result;
        }
        queue.add(new Pending(document, message, deadlineNanos, result));
        return result;
    }

    /** The message a sender stored earlier under a client message id. */
    @Override
    public CompletableFuture<Optional<ChatMessage>> findByClientId(String from, String cid) {
        return CompletableFuture.supplyAsync(() -> original(from, cid), readers);
    }

    private Optional<ChatMessage> original(String from, String cid) {
        return Optional.ofNullable(messages.find(Filters.and(Filters.eq(Message.FROM, from), Filters.eq(Message.CID, cid)))
                .first()).map(MessageDocuments::fromDocument);
    }

    /** The highest stored seq of a conversation, 0 if it has none. */
    public CompletableFuture<Long> maxSeq(String conv) {
        return CompletableFuture.supplyAsync(() -> MessageDocuments.maxSeq(messages, conv), readers);
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // write() completes every future itself; this guards the loop against surprises.
                log.error("mqchat store writer: unexpected error", e);
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        long now = System.nanoTime();
        List<Pending> live = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (now - p.deadlineNanos() > 0) {
                p.result().completeExceptionally(new TimeoutException("not written before its deadline"));
            } else {
                live.add(p);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        List<Document> docs = new ArrayList<>(live.size());
        live.forEach(p -> docs.add(p.document()));
        batchSizes.record(docs.size());
        long start = System.nanoTime();
        try {
            messages.insertMany(docs, new InsertManyOptions().ordered(false));
            writeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            live.forEach(p -> p.result().complete(new Stored(p.message())));
            summarize(live.stream().map(Pending::message).toList());
        } catch (MongoBulkWriteException e) {
            writeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            Map<Integer, BulkWriteError> errors = new HashMap<>();
            e.getWriteErrors().forEach(err -> errors.put(err.getIndex(), err));
            List<ChatMessage> stored = new ArrayList<>(live.size());
            for (int i = 0; i < live.size(); i++) {
                Pending p = live.get(i);
                BulkWriteError err = errors.get(i);
                if (err == null) {
                    p.result().complete(new Stored(p.message()));
                    stored.add(p.message());
                } else if (err.getCode() == DUPLICATE_KEY) {
                    resolveDuplicate(p);
                } else {
                    refuseUnstorable(p, "write error " + err.getCode());
                }
            }
            summarize(stored);
        } catch (RuntimeException e) {
            if (isUnavailable(e) || live.size() == 1) {
                failOrRefuse(live.get(0), e, live);
                return;
            }
            // Something in the batch could not be written (not the store being down): write each message on its
            // own, so one sender's unstorable message never fails the others'.
            failedBatches.increment();
            log.warn("mqchat store: batch of {} messages refused ({}); writing them one by one", live.size(),
                    e.toString());
            List<ChatMessage> stored = new ArrayList<>(live.size());
            for (Pending p : live) {
                writeOne(p, stored);
            }
            summarize(stored);
        }
    }

    private void writeOne(Pending p, List<ChatMessage> stored) {
        try {
            messages.insertOne(p.document());
            p.result().complete(new Stored(p.message()));
            stored.add(p.message());
        } catch (MongoWriteException e) {
            if (e.getError().getCode() == DUPLICATE_KEY) {
                // the failed batch may have written this one before it failed
                Optional<ChatMessage> original = original(p.message().from(), p.message().cid());
                if (original.isPresent() && original.get().id().equals(p.message().id())) {
                    p.result().complete(new Stored(p.message()));
                    stored.add(p.message());
                } else {
                    p.result().complete(original.<Outcome>map(Duplicate::new).orElseGet(SeqConflict::new));
                }
            } else {
                refuseUnstorable(p, "write error " + e.getError().getCode());
            }
        } catch (RuntimeException e) {
            failOrRefuse(p, e, List.of(p));
        }
    }

    /** A store that is down or slow fails every message (clients retry); anything else refuses the one message. */
    private void failOrRefuse(Pending single, RuntimeException e, List<Pending> all) {
        if (isUnavailable(e)) {
            log.warn("mqchat store: insert of {} messages failed: {}", all.size(), e.toString());
            all.forEach(p -> p.result().completeExceptionally(e));
        } else {
            refuseUnstorable(single, e.getClass().getSimpleName());
        }
    }

    /** The message itself cannot be written: refused, never retried (a retry would fail the same way). */
    private void refuseUnstorable(Pending p, String why) {
        log.warn("mqchat store: message {} of {} cannot be stored: {}", p.message().cid(), p.message().from(), why);
        p.result().completeExceptionally(new ProtocolException(ProtocolError.INVALID_FIELD,
                "the message cannot be stored (" + why + ")", p.message().cid()));
    }

    /** Whether an insert failed because the store could not be reached or answer in time (not the data). */
    static boolean isUnavailable(Throwable e) {
        return e instanceof MongoSocketException || e instanceof MongoTimeoutException
                || e instanceof MongoExecutionTimeoutException || e instanceof MongoNotPrimaryException
                || e instanceof MongoNodeIsRecoveringException || e instanceof MongoInterruptedException
                || e instanceof IllegalStateException // the client was closed
                || (e instanceof MongoException m && m.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL))
                || (e instanceof MongoException m2 && m2.hasErrorLabel("RetryableWriteError"));
    }

    /** Hands stored messages to the summary thread; never blocks the writer. */
    private void summarize(List<ChatMessage> stored) {
        if (summaries == null || stored.isEmpty()) {
            return;
        }
        if (!summaryQueue.offer(stored)) {
            summaryFailures.increment(stored.size());
            log.warn("mqchat store: {} conversation summary updates dropped (too many pending)", stored.size());
        }
    }

    private void summaryLoop() {
        List<List<ChatMessage>> pending = new ArrayList<>();
        while (running || !summaryQueue.isEmpty()) {
            try {
                List<ChatMessage> first = summaryQueue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                pending.add(first);
                // Linger briefly: summaries of the same conversations then fold into one update each,
                // which matters on stores where every write is expensive (the embedded H2 store).
                long deadline = System.nanoTime() + SUMMARY_LINGER_NANOS;
                while (pending.size() < MAX_SUMMARY_BATCHES_PER_WRITE) {
                    long left = deadline - System.nanoTime();
                    List<ChatMessage> next = left > 0 ? summaryQueue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (next == null) {
                        break;
                    }
                    pending.add(next);
                }
                List<ChatMessage> all = new ArrayList<>();
                pending.forEach(all::addAll);
                try {
                    summaries.apply(all);
                } catch (RuntimeException e) {
                    summaryFailures.increment(all.size());
                    log.warn("mqchat store: conversation summaries of {} messages not updated: {}", all.size(),
                            e.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                pending.clear();
            }
        }
    }

    /**
     * Tells a retried cid (answer with the original) from a stale seq (allocate again). Always looks the cid up:
     * a retry takes the same seq as its first attempt, so a clash on {@code (conv, seq)} may be the retry itself.
     */
    private void resolveDuplicate(Pending p) {
        findByClientId(p.message().from(), p.message().cid()).whenComplete((original, error) -> {
            if (error != null) {
                p.result().completeExceptionally(error);
            } else if (original.isPresent()) {
                p.result().complete(new Duplicate(original.get()));
            } else {
                p.result().complete(new SeqConflict());
            }
        });
    }

    @Override
    public void close() {
        running = false;
        writers.shutdown();
        try {
            if (!writers.awaitTermination(10, TimeUnit.SECONDS)) {
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.forEach(p -> p.result().completeExceptionally(new IllegalStateException("message store closed")));
        if (summaryThread != null) {
            try {
                summaryThread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
