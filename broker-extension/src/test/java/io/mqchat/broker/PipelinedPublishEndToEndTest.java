package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pipelined publish path: one connection has many messages in the store at once, and still every PUBACK
 * means stored, PUBACKs and deliveries follow publish order, a failed store ends in a disconnect (never a
 * success), and what is in flight is bounded.
 */
class PipelinedPublishEndToEndTest {

    private BrokerFixture fx;
    private final AtomicReference<ScriptedWrites> writes = new AtomicReference<>();

    @AfterEach
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private void start(Duration storeTimeout, UnaryOperator<BrokerConfig.Limits> limits,
                       java.util.function.Function<MessageWrites, ScriptedWrites> scripted) throws Exception {
        fx = new BrokerFixture(storeTimeout, Duration.ofSeconds(1),
                config -> config.withLimits(limits.apply(BrokerConfig.Limits.none())),
                store -> {
                    ScriptedWrites w = scripted.apply(store);
                    writes.set(w);
                    return w;
                });
        for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
            fx.createUser(user);
        }
    }

    /** One publish's outcome as the client saw it. */
    private record Ack(int index, String cid, int code, String id, String seq, boolean storedBefore) {
    }

    @Test
    void oneConnectionKeepsManyMessagesInTheStoreAndPubacksAndDeliveriesFollowPublishOrder() throws Exception {
        start(Duration.ofSeconds(5), UnaryOperator.identity(), store -> ScriptedWrites.slow(store, 20));
        Inbox bobInbox = new Inbox();
        fx.mqtt5OnInbox("bob", "phone", bobInbox);
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        int count = 300;
        List<Ack> acks = publishAll(alice, "chat/u/bob", count, 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> acks.size() == count && bobInbox.chat().size() == count);

        assertThat(writes.get().maxInStore()).as("messages of one connection in the store at once").isGreaterThanOrEqualTo(10);
        assertThat(acks).extracting(Ack::index).as("PUBACK order").containsExactlyElementsOf(range(count));
        assertThat(acks).allSatisfy(a -> {
            assertThat(a.code()).isLessThan(0x80);
            assertThat(a.storedBefore()).as("stored before its PUBACK: " + a.cid()).isTrue();
        });
        List<JsonNode> delivered = bobInbox.chat();
        assertThat(delivered).extracting(n -> n.get("cid").asText()).as("delivery order")
                .containsExactlyElementsOf(range(count).stream().map(i -> "m-" + i).toList());
        assertThat(delivered).extracting(n -> n.get("seq").asLong())
                .containsExactlyElementsOf(range(count).stream().map(i -> i + 1L).toList());
        // MQTT 5 PUBACKs carry the stored id and seq
        for (int i = 0; i < count; i++) {
            assertThat(acks.get(i).id()).isEqualTo(delivered.get(i).get("id").asText());
            assertThat(acks.get(i).seq()).isEqualTo(delivered.get(i).get("seq").asText());
        }
    }

    @Test
    void mqtt311ConnectionIsPipelinedInOrderToo() throws Exception {
        start(Duration.ofSeconds(5), UnaryOperator.identity(), store -> ScriptedWrites.slow(store, 20));
        Inbox bobInbox = new Inbox();
        fx.mqtt5OnInbox("bob", "phone", bobInbox);
        var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName("alice");
        options.setPassword(fx.login("alice", "iot").toCharArray());
        options.setMaxInflight(50);
        var alice = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "alice:iot",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        alice.connect(options).waitForCompletion(10_000);
        int count = 200;
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<String> early = new CopyOnWriteArrayList<>();
        Semaphore window = new Semaphore(50);
        for (int i = 0; i < count; i++) {
            window.acquire();
            int index = i;
            String cid = "t-" + i;
            alice.publish("chat/u/bob", ("{\"cid\":\"" + cid + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8), 1,
                    false, null, new org.eclipse.paho.client.mqttv3.IMqttActionListener() {
                        @Override
                        public void onSuccess(org.eclipse.paho.client.mqttv3.IMqttToken token) {
                            if (!writes.get().stored.contains(cid)) {
                                early.add(cid);
                            }
                            order.add(index);
                            window.release();
                        }

                        @Override
                        public void onFailure(org.eclipse.paho.client.mqttv3.IMqttToken token, Throwable e) {
                            window.release();
                        }
                    });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> order.size() == count && bobInbox.chat().size() == count);
        assertThat(writes.get().maxInStore()).isGreaterThanOrEqualTo(5);
        assertThat(order).containsExactlyElementsOf(range(count));
        assertThat(early).as("PUBACKs before their message was stored").isEmpty();
        assertThat(bobInbox.chat()).extracting(n -> n.get("cid").asText())
                .containsExactlyElementsOf(range(count).stream().map(i -> "t-" + i).toList());
        alice.disconnect().waitForCompletion();
    }

    @Test
    void deliveriesOfAConversationFollowSeqOrderAcrossSendersWhateverOrderTheStoresFinishIn() throws Exception {
        // every write takes 0-40 ms, so stores finish in a different order than seqs were taken
        start(Duration.ofSeconds(5), UnaryOperator.identity(), store -> new ScriptedWrites(store,
                m -> ThreadLocalRandom.current().nextLong(40), 0, (m, a) -> ScriptedWrites.Fault.NONE));
        createGroup("g-order", "alice", "bob", "carol", "dave", "erin");
        Inbox erinInbox = new Inbox();
        fx.mqtt5("erin", "phone", erinInbox); // a member device that subscribes to nothing itself
        List<MqttAsyncClient> senders = new ArrayList<>();
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            senders.add(fx.mqtt5(user, "phone"));
        }
        awaitGroupSubscription("erin:phone", "g-order");
        int perSender = 60;
        List<List<Ack>> acks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (MqttAsyncClient sender : senders) {
            List<Ack> mine = new CopyOnWriteArrayList<>();
            acks.add(mine);
            Thread thread = new Thread(() -> {
                try {
                    publishAll(sender, "chat/g/g-order", perSender, 20, mine);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        int total = perSender * senders.size();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                acks.stream().mapToInt(List::size).sum() == total && erinInbox.chat().size() == total);
        assertThat(erinInbox.chat()).extracting(n -> n.get("seq").asLong()).as("seqs as delivered")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
    }

    @Test
    void failedAndLateStoresEndInADisconnectAndRetriesAreStoredOnce() throws Exception {
        Duration storeTimeout = Duration.ofMillis(800);
        // the first attempt of every 10th message fails; the first attempt of m-55 is written after its deadline
        start(storeTimeout, UnaryOperator.identity(), store -> new ScriptedWrites(store, m -> 5,
                storeTimeout.toMillis() + 400, (m, attempt) -> attempt > 1 ? ScriptedWrites.Fault.NONE
                : m.cid().equals("m-55") ? ScriptedWrites.Fault.LATE
                : m.cid().endsWith("0") ? ScriptedWrites.Fault.FAIL : ScriptedWrites.Fault.NONE));
        Inbox bobInbox = new Inbox();
        fx.mqtt5OnInbox("bob", "phone", bobInbox);
        int count = 100;
        Set<String> acked = ConcurrentHashMap.newKeySet();
        List<String> early = new CopyOnWriteArrayList<>();
        Map<String, Integer> successAttempt = new ConcurrentHashMap<>();
        Map<String, Integer> attemptsSent = new ConcurrentHashMap<>();
        int disconnects = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.size() < count && System.nanoTime() < until) {
            Inbox events = new Inbox();
            MqttAsyncClient alice = fx.mqtt5("alice", "phone", events);
            Semaphore window = new Semaphore(20);
            for (int i = 0; i < count && alice.isConnected(); i++) {
                String cid = "m-" + i;
                if (acked.contains(cid)) {
                    continue;
                }
                if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                    break;
                }
                int attempt = attemptsSent.merge(cid, 1, Integer::sum);
                MqttMessage message = new MqttMessage(("{\"cid\":\"" + cid + "\",\"body\":\"x\"}")
                        .getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                try {
                    alice.publish("chat/u/bob", message, null, new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            if (token.getResponse() instanceof MqttPubAck ack && ack.getReturnCode() < 0x80) {
                                if (!writes.get().stored.contains(cid)) {
                                    early.add(cid);
                                }
                                acked.add(cid);
                                successAttempt.put(cid, attempt);
                            }
                            window.release();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            window.release(); // an error PUBACK or the connection closed: resend later
                        }
                    });
                } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                    window.release();
                    break;
                }
            }
            // let this connection's window drain (or be closed by the broker)
            await().atMost(Duration.ofSeconds(15)).until(() -> !alice.isConnected() || window.availablePermits() == 20);
            if (!events.disconnects.isEmpty()) {
                disconnects++;
                assertThat(events.disconnects).allSatisfy(d -> {
                    assertThat(d.getReturnCode()).isEqualTo(0x80);
                    assertThat(d.getReasonString()).startsWith("storage_unavailable");
                });
            }
            if (alice.isConnected()) {
                alice.disconnect().waitForCompletion(5_000);
            }
            alice.close();
        }
        assertThat(acked).hasSize(count);
        assertThat(early).as("success PUBACKs before the message was stored").isEmpty();
        assertThat(disconnects).as("connections closed for failed stores").isPositive();
        // no first attempt the store failed (or finished late) was acknowledged as a success
        for (String faulted : writes.get().faulted) {
            String cid = faulted.substring(0, faulted.indexOf('#'));
            assertThat(successAttempt.get(cid)).as(faulted).isGreaterThan(1);
        }
        assertThat(writes.get().faulted).hasSize(11);
        // every cid stored exactly once, the late one included
        for (int i = 0; i < count; i++) {
            assertThat(fx.messages().countDocuments(Filters.and(Filters.eq("from", "alice"), Filters.eq("cid", "m-" + i))))
                    .as("m-" + i).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bobInbox.chat().stream()
                .map(n -> n.get("cid").asText()).distinct().count() == count);
    }

    @Test
    void aConnectionOverItsInflightCapIsRefusedWithQuotaExceeded() throws Exception {
        start(Duration.ofSeconds(5), limits -> limits.withInflight(5, BrokerConfig.Limits.DEFAULT_INFLIGHT_BYTES),
                store -> ScriptedWrites.slow(store, 300));
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        fx.mqtt5OnInbox("bob", "phone", new Inbox());
        List<IMqttToken> tokens = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            MqttMessage message = new MqttMessage(("{\"cid\":\"c-" + i + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            tokens.add(alice.publish("chat/u/bob", message));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> tokens.stream().allMatch(IMqttToken::isComplete));
        List<Integer> codes = tokens.stream().map(t -> ((MqttPubAck) t.getResponse()).getReturnCode()).toList();
        assertThat(codes).contains(0x97);
        assertThat(codes.stream().filter(c -> c < 0x80).count()).isGreaterThanOrEqualTo(5);
        tokens.stream().filter(t -> ((MqttPubAck) t.getResponse()).getReturnCode() == 0x97).findFirst()
                .ifPresent(t -> assertThat(t.getResponse().getProperties().getReasonString())
                        .startsWith("rate_limited").contains("5 messages in flight"));
        assertThat(writes.get().maxInStore()).as("in the store at once").isLessThanOrEqualTo(5);
        long stored = fx.messages().countDocuments(Filters.eq("from", "alice"));
        assertThat(stored).isEqualTo(codes.stream().filter(c -> c < 0x80).count());
        assertThat(alice.isConnected()).isTrue();
    }

    @Test
    void theNodeBoundsThePayloadInFlightAcrossConnections() throws Exception {
        // 1 KiB of overhead per message and a 6 KiB bound: at most 5 small messages in flight on the node
        start(Duration.ofSeconds(5), limits -> limits.withInflight(1_000, 6 * 1024), store -> ScriptedWrites.slow(store, 300));
        fx.mqtt5OnInbox("bob", "phone", new Inbox());
        List<IMqttToken> tokens = new ArrayList<>();
        for (String user : List.of("alice", "carol", "dave")) {
            MqttAsyncClient sender = fx.mqtt5(user, "phone");
            for (int i = 0; i < 10; i++) {
                MqttMessage message = new MqttMessage(("{\"cid\":\"n-" + i + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                tokens.add(sender.publish("chat/u/bob", message));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> tokens.stream().allMatch(IMqttToken::isComplete));
        List<Integer> codes = tokens.stream().map(t -> ((MqttPubAck) t.getResponse()).getReturnCode()).toList();
        assertThat(codes).contains(0x97);
        assertThat(writes.get().maxInStore()).isLessThanOrEqualTo(5);
        assertThat(fx.messages().countDocuments(Filters.in("from", "alice", "carol", "dave")))
                .isEqualTo(codes.stream().filter(c -> c < 0x80).count());
    }

    /** Publishes {@code count} messages {@code m-0...} keeping {@code window} in flight; the outcomes in PUBACK order. */
    private List<Ack> publishAll(MqttAsyncClient client, String topic, int count, int window) throws Exception {
        return publishAll(client, topic, count, window, new CopyOnWriteArrayList<>());
    }

    private List<Ack> publishAll(MqttAsyncClient client, String topic, int count, int window, List<Ack> acks)
            throws Exception {
        Semaphore inFlight = new Semaphore(window);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            int index = i;
            String cid = "m-" + i;
            MqttMessage message = new MqttMessage(("{\"cid\":\"" + cid + "\",\"body\":\"b" + i + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            client.publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    record(token, index, cid, acks);
                    inFlight.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    record(token, index, cid, acks);
                    inFlight.release();
                }
            });
        }
        return acks;
    }

    private void record(IMqttToken token, int index, String cid, List<Ack> acks) {
        boolean storedBefore = writes.get().stored.contains(cid);
        MqttPubAck ack = token.getResponse() instanceof MqttPubAck p ? p : null;
        List<UserProperty> props = ack == null ? List.of() : ack.getProperties().getUserProperties();
        acks.add(new Ack(index, cid, ack == null ? -1 : ack.getReturnCode(), property(props, "id"),
                property(props, "seq"), storedBefore));
    }

    private static String property(List<UserProperty> props, String key) {
        return props.stream().filter(p -> p.getKey().equals(key)).map(UserProperty::getValue).findFirst().orElse(null);
    }

    private static List<Integer> range(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    private void createGroup(String groupId, String... members) {
        var db = fx.mongoClient.getDatabase("mqchat");
        db.getCollection(StoreSchema.GROUPS).insertOne(new Document("_id", groupId).append("name", groupId)
                .append("owner", members[0]).append("memberCount", members.length).append("createdAt", new Date()));
        for (int i = 0; i < members.length; i++) {
            db.getCollection(StoreSchema.GROUP_MEMBERS).insertOne(new Document("_id", groupId + "|" + members[i])
                    .append("groupId", groupId).append("userId", members[i]).append("role", i == 0 ? "owner" : "member")
                    .append("joinedAt", new Date()).append("fromSeq", 1L));
        }
    }

    private static void awaitGroupSubscription(String clientId, String groupId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> com.hivemq.extension.sdk.api.services.Services
                .subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .anyMatch(s -> s.getTopicFilter().equals("chat/g/" + groupId)));
    }
}
