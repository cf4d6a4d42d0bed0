package io.mqchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.FreePorts;
import io.mqchat.history.HistoryServiceApplication;
import org.HdrHistogram.Histogram;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A user gets a new device (roaming): how long until it has everything. mqchat only; plain HiveMQ stores nothing, so
 * there is no baseline, and the report gives the absolute times next to the goal.
 *
 * <ol>
 *   <li>{@code --roaming-messages} messages are sent to the user over MQTT by {@value #SENDERS} other users (one
 *       conversation each), as any chat message: stored, seq'd, summarised;
 *   <li><b>MQTT sync</b> (timed after one warm-up request for one message, as is the REST sync): a new device publishes {@code sync} requests to {@code chat/req/{user}} (200 per page, the
 *       largest) and reads the answers on its inbox until {@code hasMore} is false;
 *   <li><b>REST sync</b>: the same from history-service's {@code GET /api/v1/sync} (500 per page);
 *   <li><b>history page</b> latency ({@code --history-pages} requests per store size) ({@code GET /api/v1/conversations/{conv}/messages}, 50 per page, the newest and
 *       random older pages), first with only those messages stored, then after {@code --history-messages} minus
 *       them were written straight into MongoDB in one more conversation of the user (copies of a stored message
 *       with new ids and seqs, as the broker would have stored them).
 * </ol>
 * history-service runs in this process on the same stores (as the one-process stack runs it).
 */
final class RoamingBenchmark {

    static final int SENDERS = 10;
    static final int MQTT_PAGE = 200;
    static final int REST_PAGE = 500;
    static final int HISTORY_PAGE = 50;
    static final Duration GOAL = Duration.ofSeconds(1);
    private static final int SEED_BATCH = 5_000;

    static final String MQTT_SYNC = "MQTT sync, all (ms)";
    static final String REST_SYNC = "REST sync, all (ms)";
    static final String SYNCED = "messages synced (MQTT / REST)";

    private RoamingBenchmark() {
    }

    static BenchmarkReport run(BenchSettings s, Path workDir, String runId, PrintStream out) throws Exception {
        out.println("roaming: starting embedded stack and history-service (" + (s.mongoUri() == null
                ? "H2 file mongo in " + workDir : "external mongo") + ")");
        List<SideResult.Metric> metrics = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long started = System.nanoTime();
        try (MqchatTarget target = MqchatTarget.start(s, workDir);
             ConfigurableApplicationContext history = startHistory(target)) {
            out.printf(Locale.ROOT, "  stack and history-service started in %.1f s%n", (System.nanoTime() - started) / 1e9);
            String base = "http://127.0.0.1:" + history.getEnvironment().getProperty("local.server.port");
            String user = "ro-" + runId;
            List<String> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add("ros" + i + "-" + runId);
            }
            List<String> users = new ArrayList<>(senders);
            users.add(user);
            String bigPeer = "rob-" + runId;
            users.add(bigPeer);
            target.createUsers(users);
            int n = s.fleet().roamingMessages();

            long t0 = System.nanoTime();
            seed(s, target, user, senders, n);
            awaitSummaries(target, user, senders, n / SENDERS, s.maxPhaseTime());
            String seeded = String.format(Locale.ROOT, "%d messages to %s from %d senders over MQTT in %.1f s", n, user,
                    SENDERS, (System.nanoTime() - t0) / 1e9);
            out.println("  " + seeded);
            notes.add(seeded);

            long syncStart = System.nanoTime();
            Synced mqtt = mqttSync(s, target, user);
            Synced rest = restSync(base, target.credentials(user, "web").password());
            out.printf(Locale.ROOT, "  MQTT sync: %d messages in %.0f ms (%d pages); REST sync: %d in %.0f ms (%d pages)%n",
                    mqtt.messages, mqtt.millis, mqtt.pages, rest.messages, rest.millis, rest.pages);
            metrics.add(new SideResult.Metric(MQTT_SYNC, mqtt.millis, 0));
            metrics.add(new SideResult.Metric(REST_SYNC, rest.millis, 0));
            notes.add("synced: MQTT " + mqtt.messages + " messages in " + mqtt.pages + " pages of up to " + MQTT_PAGE
                    + ", REST " + rest.messages + " in " + rest.pages + " pages of up to " + REST_PAGE);
            for (Synced sync : List.of(mqtt, rest)) {
                if (sync.messages != n) {
                    problems.add(sync.name + " sync returned " + sync.messages + " messages (" + sync.distinct
                            + " distinct ids), " + n + " were stored");
                }
            }

            String token = target.credentials(user, "tablet").password();
            String conv = ConversationId.direct(senders.get(0), user).toString();
            out.printf(Locale.ROOT, "  both syncs took %.1f s in all (connecting included)%n", (System.nanoTime() - syncStart) / 1e9);
            int pages = s.fleet().historyPages();
            long pagesStart = System.nanoTime();
            SideResult.Latency small = historyPages(base, token, conv, n / SENDERS, pages, problems);
            addPages(metrics, n, small);
            out.printf(Locale.ROOT, "  %d history pages with %d stored in %.1f s%n", pages + 1, n, (System.nanoTime() - pagesStart) / 1e9);

            long big = s.fleet().historyMessages();
            if (big > n) {
                String bigConv = ConversationId.direct(user, bigPeer).toString();
                // the embedded H2 store slows down as the collection grows (455/s for 19,000 on 2 cores)
                out.printf(Locale.ROOT, "  writing %,d messages straight into MongoDB%s%n", big - n, s.mongoUri() != null
                        ? "" : " (the embedded H2 store writes a few hundred a second; --mongo-uri for a million)");
                long t1 = System.nanoTime();
                long written = writeDirectly(target, conv, bigConv, user, bigPeer, big - n);
                String line = String.format(Locale.ROOT, "%d more messages written straight into MongoDB (%s) in %.1f s",
                        written, bigConv, (System.nanoTime() - t1) / 1e9);
                out.println("  " + line);
                notes.add(line);
                SideResult.Latency large = historyPages(base, token, bigConv, written, pages, problems);
                addPages(metrics, big, large);
            }
        }
        SideResult mqchat = SideResult.measurementsOnly("mqchat", metrics, problems, notes);
        return new BenchmarkReport(s, mqchat, null);
    }

    /** The goal lines of the report: each time against {@link #GOAL}. */
    static String goal(SideResult r) {
        if (r == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (SideResult.Metric m : r.metrics()) {
            if (m.label().endsWith("(ms)")) {
                b.append(String.format(Locale.ROOT, "goal: %s under %d ms: %,.0f ms, %s%n", m.label().replace(" (ms)", ""),
                        GOAL.toMillis(), m.value(), m.value() < GOAL.toMillis() ? "met" : "NOT met"));
            }
        }
        return b.toString().strip();
    }

    private static void addPages(List<SideResult.Metric> metrics, long stored, SideResult.Latency pages) {
        String size = String.format(Locale.ROOT, "%,d", stored);
        metrics.add(new SideResult.Metric("history page p50, " + size + " (ms)", pages.p50(), 1));
        metrics.add(new SideResult.Metric("history page p99, " + size + " (ms)", pages.p99(), 1));
    }

    private static ConfigurableApplicationContext startHistory(MqchatTarget target) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", FreePorts.next());
        p.put("server.address", "127.0.0.1");
        p.put("mqchat.mongo.uri", target.mongoUri());
        p.put("mqchat.redis.address", target.redisAddress());
        p.put("mqchat.jwt.secret", target.jwtSecret());
        p.put("logging.config", "classpath:mqchat-bench-logback.xml");
        p.put("spring.main.banner-mode", "off");
        return HistoryServiceApplication.builder().properties(p).run();
    }

    /** Every sender publishes its share to the user's inbox, QoS 1, 10 in flight; waits for every PUBACK. */
    private static void seed(BenchSettings s, MqchatTarget target, String user, List<String> senders, int n)
            throws Exception {
        SendLoop loop = new SendLoop(s.payloadBytes());
        List<SeedLedger> ledgers = new ArrayList<>();
        List<BenchClient> clients = new ArrayList<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (String sender : senders) {
                ledgers.add(new SeedLedger(Topics.inbox(user), s.inflight()));
                clients.add(BenchClient.connect(s.mqtt3(), target, sender, "phone", 2 * s.inflight(), s.tcpNoDelay(),
                        (payload, t) -> { }, errors::add));
            }
            int[] sentUpTo = new int[senders.size()];
            SendLoop.Phase phase = loop.phase(ledgers, clients, 0, n / senders.size(), false, null, 0,
                    s.maxPhaseTime(), sentUpTo, new SendLoop.Progress() {
                        @Override
                        public boolean settled() {
                            return ledgers.stream().allMatch(SeedLedger::answered);
                        }

                        @Override
                        public long lastMeasuredNanos() {
                            return 0;
                        }

                        @Override
                        public String pending() {
                            return "messages to the roaming user unanswered";
                        }
                    });
            int failed = ledgers.stream().mapToInt(l -> l.failed.get()).sum();
            if (!phase.complete() || failed > 0 || !errors.isEmpty()) {
                throw new IllegalStateException("sending the messages to sync failed: " + (phase.incomplete() != null
                        ? phase.incomplete() : failed + " refused") + (errors.isEmpty() ? "" : ", " + errors.get(0)));
            }
        } finally {
            clients.forEach(BenchClient::close);
        }
    }

    /** A sender of the seed: counts answers, keeps nothing else. */
    static final class SeedLedger extends SenderLedger {

        SeedLedger(String topic, int inflight) {
            super(topic, new Semaphore(inflight));
        }

        @Override
        public String cidOf(int k) {
            return Pair.cid(k);
        }

        @Override
        public void sending(int k, long nanoTime) {
        }

        @Override
        public void onAck(int k, long nanoTime, String failure) {
            (failure == null ? acked : failed).incrementAndGet();
            window.release();
        }

        @Override
        public void onSendError(int k, Exception e) {
            failed.incrementAndGet();
            window.release();
        }
    }

    /** The broker writes the summaries sync reads after the PUBACKs: waits until each conversation has its last seq. */
    private static void awaitSummaries(MqchatTarget target, String user, List<String> senders, long perSender,
                                       Duration max) {
        MongoCollection<Document> conversations = target.database().getCollection(StoreSchema.CONVERSATIONS);
        long deadline = System.nanoTime() + max.toNanos();
        boolean done = SendLoop.awaitUntil(() -> conversations.countDocuments(Filters.and(
                Filters.eq(StoreSchema.Conversation.USER, user),
                Filters.gte(StoreSchema.Conversation.LAST_SEQ, perSender))) >= senders.size(), deadline, 100_000_000);
        if (!done) {
            throw new IllegalStateException("the conversation summaries of " + user + " were not written in time");
        }
    }

    /** What one sync got: messages (with repeats), distinct ids, pages, and the time from first ask to last answer. */
    record Synced(String name, int messages, int distinct, int pages, double millis) {
    }

    private static Synced mqttSync(BenchSettings s, MqchatTarget target, String user) throws Exception {
        BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (BenchClient device = BenchClient.connect(s.mqtt3(), target, user, "desktop", 10, s.tcpNoDelay(),
                (payload, t) -> {
                    try {
                        JsonNode node = Json.MAPPER.readTree(payload);
                        if (node.has("rid")) {
                            answers.add(node);
                        }
                    } catch (Exception e) {
                        errors.add("unparseable answer: " + e.getMessage());
                    }
                }, errors::add)) {
            // without a response topic the answer comes to the inbox (MQTT 5 and 3.1.1 alike)
            device.subscribe(Topics.inbox(user));
            java.util.Set<String> ids = new java.util.HashSet<>();
            int messages = 0;
            int pages = 0;
            String cursor = null;
            // one request of one message first: the broker's first sync answer pays for class loading and JIT
            requestSync(device, user, "warm-up", 1, null, errors);
            awaitAnswer(answers, "warm-up", errors);
            long t0 = System.nanoTime();
            while (true) {
                String rid = "r" + pages;
                requestSync(device, user, rid, MQTT_PAGE, cursor, errors);
                JsonNode answer = awaitAnswer(answers, rid, errors);
                pages++;
                for (JsonNode m : answer.path("messages")) {
                    messages++;
                    ids.add(m.path("id").asText());
                }
                cursor = answer.path("cursor").asText(null);
                if (!answer.path("hasMore").asBoolean(false)) {
                    return new Synced("MQTT", messages, ids.size(), pages, (System.nanoTime() - t0) / 1e6);
                }
            }
        }
    }

    private static void requestSync(BenchClient device, String user, String rid, int limit, String cursor,
                                    List<String> errors) throws Exception {
        String request = "{\"op\":\"sync\",\"rid\":\"" + rid + "\",\"limit\":" + limit
                + (cursor == null ? "" : ",\"cursor\":" + Json.MAPPER.writeValueAsString(cursor)) + "}";
        device.publish("chat/req/" + user, request.getBytes(StandardCharsets.UTF_8), (t, failure) -> {
            if (failure != null) {
                errors.add("sync request refused: " + failure);
            }
        });
    }

    private static JsonNode awaitAnswer(BlockingQueue<JsonNode> answers, String rid, List<String> errors)
            throws InterruptedException {
        JsonNode answer = answers.poll(30, TimeUnit.SECONDS);
        if (answer == null || !rid.equals(answer.path("rid").asText()) || !"sync".equals(answer.path("type").asText())) {
            throw new IllegalStateException("no sync answer to " + rid + ": " + answer
                    + (errors.isEmpty() ? "" : " (" + errors.get(0) + ")"));
        }
        return answer;
    }

    private static Synced restSync(String base, String token) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // one request of one message first: a fresh Spring app sets up its servlet on the first request
        get(http, base + "/api/v1/sync?limit=1", token);
        java.util.Set<String> ids = new java.util.HashSet<>();
        int messages = 0;
        int pages = 0;
        String cursor = null;
        long t0 = System.nanoTime();
        while (true) {
            String url = base + "/api/v1/sync?limit=" + REST_PAGE
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = get(http, url, token);
            pages++;
            for (JsonNode m : page.path("messages")) {
                messages++;
                ids.add(m.path("id").asText());
            }
            cursor = page.path("cursor").asText(null);
            if (!page.path("hasMore").asBoolean(false)) {
                return new Synced("REST", messages, ids.size(), pages, (System.nanoTime() - t0) / 1e6);
            }
        }
    }

    /**
     * {@code requests} history pages of a conversation with {@code stored} messages, every other one the newest, the
     * others before random seqs; each must be a full page. One more request before them warms up, not counted.
     */
    private static SideResult.Latency historyPages(String base, String token, String conv, long stored, int requests,
                                                   List<String> problems) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Histogram micros = new Histogram(Pair.HISTOGRAM_MAX_MICROS, 3);
        SplittableRandom random = new SplittableRandom(42);
        String path = base + "/api/v1/conversations/" + URLEncoder.encode(conv, StandardCharsets.UTF_8) + "/messages?limit="
                + HISTORY_PAGE;
        for (int i = 0; i <= requests; i++) {
            String url = i % 2 == 0 ? path : path + "&beforeSeq=" + (HISTORY_PAGE + 1 + random.nextLong(stored - HISTORY_PAGE));
            long t0 = System.nanoTime();
            JsonNode page = get(http, url, token);
            long took = System.nanoTime() - t0;
            if (i > 0) {
                micros.recordValue(Pair.micros(took));
            }
            if (page.path("messages").size() != HISTORY_PAGE) {
                problems.add("history page " + url + " had " + page.path("messages").size() + " messages, not "
                        + HISTORY_PAGE);
                break;
            }
        }
        return SideResult.Latency.of(micros);
    }

    private static JsonNode get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    /**
     * Writes {@code count} messages of a new conversation {@code bigConv} straight into MongoDB: copies of a
     * message the broker stored in {@code sampleConv}, with new ids, seqs 1..count, cids and times, in batches.
     */
    private static long writeDirectly(MqchatTarget target, String sampleConv, String bigConv, String from, String to,
                                      long count) {
        MongoCollection<Document> messages = target.database().getCollection(StoreSchema.MESSAGES);
        Document sample = messages.find(Filters.eq(StoreSchema.Message.CONV, sampleConv)).first();
        if (sample == null) {
            throw new IllegalStateException("no stored message of " + sampleConv + " to copy");
        }
        long ts = System.currentTimeMillis() - count;
        List<Document> batch = new ArrayList<>(SEED_BATCH);
        for (long seq = 1; seq <= count; seq++) {
            Document d = new Document(sample);
            d.put(StoreSchema.Message.ID, new ObjectId().toHexString());
            d.put(StoreSchema.Message.CONV, bigConv);
            d.put(StoreSchema.Message.SEQ, seq);
            d.put(StoreSchema.Message.FROM, from);
            d.put(StoreSchema.Message.TO, to);
            d.put(StoreSchema.Message.CID, "big" + seq);
            d.put(StoreSchema.Message.TS, sample.get(StoreSchema.Message.TS) instanceof java.util.Date
                    ? new java.util.Date(ts + seq) : (Object) (ts + seq));
            batch.add(d);
            if (batch.size() == SEED_BATCH || seq == count) {
                messages.insertMany(batch);
                batch = new ArrayList<>(SEED_BATCH);
            }
        }
        return count;
    }
}
