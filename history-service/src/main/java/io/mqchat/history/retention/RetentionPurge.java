package io.mqchat.history.retention;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.history.config.HistoryProperties;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.mqchat.common.schema.StoreSchema.Conversation;
import static io.mqchat.common.schema.StoreSchema.Message;

/**
 * Retention ({@code MQCHAT_RETENTION}, default 90 days; {@code off}/{@code 0} keeps everything): messages
 * whose {@code createdAt} is older are deleted.
 *
 * <ul>
 *   <li>A TTL index on {@code messages.createdAt} lets a real MongoDB delete them itself. It is created (or
 *       changed, or dropped when retention is off) at start; a database that refuses it is logged once.</li>
 *   <li>A scheduled purge (every {@code MQCHAT_RETENTIONPURGEINTERVAL}, default 1 h, first run one interval
 *       after start) deletes them too, in batches of {@value #BATCH} ids and at most {@value #MAX_BATCHES}
 *       batches per run, so it also works where TTL indexes are ignored (the embedded mongo-java-server) and
 *       never holds the database for long. Each run logs one INFO line with the count;
 *       the meter {@code mqchat.retention.purged} counts every deleted message.</li>
 * </ul>
 * Conversation summaries stay; the preview text of a summary whose last message is older than the cutoff
 * is cleared as well, so no purged content survives in a preview.
 */
@Component
public class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);
    static final int BATCH = 1000;
    static final int MAX_BATCHES = 100;

    private final MongoCollection<Document> messages;
    private final MongoCollection<Document> summaries;
    private final Optional<Duration> retention;
    private final Duration interval;
    private final Clock clock = Clock.systemUTC();
    private final Counter purged;
    private ScheduledExecutorService scheduler;

    public RetentionPurge(MongoDatabase db, HistoryProperties properties, ObjectProvider<MeterRegistry> registry) {
        this.messages = db.getCollection(StoreSchema.MESSAGES);
        this.summaries = db.getCollection(StoreSchema.CONVERSATIONS);
        this.retention = properties.retentionAge();
        this.interval = properties.retentionPurgeInterval();
        MeterRegistry meters = registry.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new);
        this.purged = Counter.builder("mqchat.retention.purged").description("messages deleted by retention")
                .register(meters);
    }

    @PostConstruct
    void start() {
        ensureTtlIndex();
        if (retention.isEmpty()) {
            log.info("mqchat retention: off (messages are kept forever)");
            return;
        }
        log.info("mqchat retention: messages older than {} are deleted (purge every {})", retention.get(), interval);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqchat-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void ensureTtlIndex() {
        try {
            Document existing = null;
            for (Document index : messages.listIndexes()) {
                if (StoreSchema.INDEX_RETENTION_TTL.equals(index.getString("name"))) {
                    existing = index;
                }
            }
            Long wanted = retention.map(Duration::toSeconds).orElse(null);
            Object current = existing == null ? null : existing.get("expireAfterSeconds");
            if (existing != null && (wanted == null || !(current instanceof Number n) || n.longValue() != wanted)) {
                messages.dropIndex(StoreSchema.INDEX_RETENTION_TTL);
                existing = null;
            }
            if (wanted != null && existing == null) {
                messages.createIndex(Indexes.ascending(Message.CREATED_AT), new IndexOptions()
                        .name(StoreSchema.INDEX_RETENTION_TTL).expireAfter(wanted, TimeUnit.SECONDS));
            }
        } catch (MongoCommandException | UnsupportedOperationException e) {
            log.info("mqchat retention: the database did not accept the TTL index ({}); the scheduled purge "
                    + "deletes old messages", e.getMessage());
        }
    }

    private void runSafely() {
        try {
            purgeNow();
        } catch (RuntimeException e) {
            log.warn("mqchat retention: purge failed, will retry next run: {}", e.toString());
        }
    }

    /** One purge run; returns how many messages it deleted. */
    public long purgeNow() {
        if (retention.isEmpty()) {
            return 0;
        }
        long cutoff = clock.millis() - retention.get().toMillis();
        long deleted = 0;
        for (int batch = 0; batch < MAX_BATCHES; batch++) {
            List<Object> ids = new ArrayList<>(BATCH);
            for (Document d : messages.find(Filters.lt(Message.CREATED_AT, new Date(cutoff)))
                    .projection(Projections.include(Message.ID)).limit(BATCH)) {
                ids.add(d.get(Message.ID));
            }
            if (ids.isEmpty()) {
                break;
            }
            long n = messages.deleteMany(Filters.in(Message.ID, ids)).getDeletedCount();
            deleted += n;
            purged.increment(n);
            if (ids.size() < BATCH) {
                break;
            }
        }
        long previews = summaries.updateMany(Filters.and(Filters.lt(Conversation.LAST_TS, cutoff),
                        Filters.ne(Conversation.LAST + ".text", null)),
                Updates.set(Conversation.LAST + ".text", null)).getModifiedCount();
        log.info("mqchat retention: deleted {} messages older than {} ({}), cleared {} previews", deleted,
                retention.get(), new Date(cutoff).toInstant(), previews);
        return deleted;
    }
}
