package io.mqchat.bench;

import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.mqchat.common.broadcast.Audience;
import io.mqchat.common.broadcast.Broadcasts;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.RedisKeys;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationLog;
import io.mqchat.common.store.SummaryWriter;
import org.bson.types.ObjectId;
import org.redisson.api.RTopic;
import org.redisson.client.codec.StringCodec;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** How a side of {@link BroadcastBenchmark} sends its broadcast: as mqchat's chat-api does, or one plain publish. */
interface BroadcastSender extends AutoCloseable {

    /** Called before each broadcast's go, outside the timing (mqchat: resets the counters). */
    void prepare();

    void send(int round) throws Exception;

    /** What the broadcast wrote, after every device had it. */
    BroadcastBenchmark.Writes writes();

    @Override
    void close();

    static BroadcastSender of(Target target, String runId) throws Exception {
        return target instanceof MqchatTarget mqchat ? new Store(mqchat) : new Plain(target, runId);
    }

    /**
     * mqchat: what chat-api's admin broadcast does, on a MongoDB client of its own whose commands are counted; the
     * bus message goes to the broker nodes over Redis like chat-api's {@code BrokerBus}.
     */
    final class Store implements BroadcastSender {

        private final BroadcastBenchmark.WriteCounter counter = new BroadcastBenchmark.WriteCounter();
        private final MongoClient client;
        private final Broadcasts broadcasts;
        private final MongoDatabase store;
        private long messagesBefore;
        private long conversationsBefore;

        Store(MqchatTarget target) {
            client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(target.mongoUri())).addCommandListener(counter).build());
            store = target.database();
            MongoDatabase db = client.getDatabase(store.getName());
            Clock clock = Clock.systemUTC();
            SummaryWriter summaries = new SummaryWriter(db.getCollection(StoreSchema.CONVERSATIONS), clock);
            RTopic bus = target.redisson().getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE);
            broadcasts = new Broadcasts(new ConversationLog(db.getCollection(StoreSchema.MESSAGES), summaries,
                    target.redisson(), clock), m -> bus.publish(m.toJson()));
        }

        @Override
        public void prepare() {
            messagesBefore = store.getCollection(StoreSchema.MESSAGES).countDocuments();
            conversationsBefore = store.getCollection(StoreSchema.CONVERSATIONS).countDocuments();
            counter.reset();
        }

        @Override
        public void send(int round) {
            broadcasts.send(TextNode.valueOf(BroadcastBenchmark.text(round)), new Audience.Everyone());
        }

        @Override
        public BroadcastBenchmark.Writes writes() {
            BroadcastBenchmark.WriteCounter.Snapshot c = counter.snapshot();
            long messages = store.getCollection(StoreSchema.MESSAGES).countDocuments() - messagesBefore;
            long conversations = store.getCollection(StoreSchema.CONVERSATIONS).countDocuments() - conversationsBefore;
            return new BroadcastBenchmark.Writes(messages, conversations, c.writeCommands(), c.statements(),
                    c.statementsIn(StoreSchema.CONVERSATIONS), c.reads(), c.detail());
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** plain HiveMQ: one client publishes the same envelope mqchat delivers, QoS 1, to the one topic. */
    final class Plain implements BroadcastSender {

        private final BenchClient client;
        private final AtomicReference<String> failure = new AtomicReference<>();

        Plain(Target target, String runId) throws Exception {
            client = BenchClient.connect(false, target, "operator-" + runId, "desktop", 10, true, (payload, t) -> {
            }, e -> failure.compareAndSet(null, e));
        }

        @Override
        public void prepare() {
        }

        @Override
        public void send(int round) throws Exception {
            ChatMessage envelope = new ChatMessage(new ObjectId().toHexString(), ConversationId.SYSTEM, round,
                    Ids.SYSTEM_USER, ConversationId.SYSTEM_TEXT, System.currentTimeMillis(), ChatMessage.SERVER_DEVICE,
                    "srv-" + UUID.randomUUID(), Broadcasts.TYPE, TextNode.valueOf(BroadcastBenchmark.text(round)));
            client.publish(BroadcastBenchmark.PLAIN_TOPIC, envelope.toJsonBytes(), (t, f) -> {
                if (f != null) {
                    failure.compareAndSet(null, "publish refused: " + f);
                }
            });
        }

        @Override
        public BroadcastBenchmark.Writes writes() {
            String f = failure.get();
            if (f != null) {
                throw new IllegalStateException("the plain publisher failed: " + f);
            }
            return BroadcastBenchmark.Writes.NONE;
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
