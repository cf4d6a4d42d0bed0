package io.mqchat.broker;

import com.mongodb.client.model.Filters;
import io.mqchat.broker.store.MessageWrites;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pipelined publish path when stores fail, finish late, or too much is in flight: no success PUBACK for a
 * message that is not stored (the connection is closed instead), retries stored once, and bounds that refuse
 * with quota exceeded rather than queue. Each test has a broker of its own (its own faults and limits).
 */
class PipelineFaultsEndToEndTest {

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
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            fx.createUser(user);
        }
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
}
