package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pipelined publish path on one broker whose store takes a few milliseconds per write: one connection has
 * many messages in the store at once, and still every PUBACK means stored and PUBACKs and deliveries follow
 * publish order (per connection, and per conversation across senders). Failures and bounds:
 * {@link PipelineFaultsEndToEndTest}.
 */
class PipelinedPublishEndToEndTest {

    private static BrokerFixture fx;
    private static ScriptedWrites writes;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(Duration.ofSeconds(5), Duration.ofSeconds(1),
                config -> config.withLimits(BrokerConfig.Limits.none()),
                store -> writes = ScriptedWrites.slow(store, 20));
        for (String user : List.of("alice", "bob", "carol", "dave", "erin", "frank", "gina")) {
            fx.createUser(user);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** One publish's outcome as the client saw it. */
    private record Ack(int index, String cid, int code, String id, String seq, boolean storedBefore) {
    }

    @Test
    void oneConnectionKeepsManyMessagesInTheStoreAndPubacksAndDeliveriesFollowPublishOrder() throws Exception {
        Inbox bobInbox = new Inbox();
        fx.mqtt5OnInbox("bob", "phone", bobInbox);
        MqttAsyncClient alice = fx.mqtt5("alice", "phone");
        int count = 300;
        List<Ack> acks = publishAll(alice, "chat/u/bob", count, 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> acks.size() == count && bobInbox.chat().size() == count);

        assertThat(writes.maxInStore()).as("messages of one connection in the store at once").isGreaterThanOrEqualTo(10);
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
        Inbox bobInbox = new Inbox();
        fx.mqtt5OnInbox("gina", "phone", bobInbox);
        var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName("frank");
        options.setPassword(fx.login("frank", "iot").toCharArray());
        options.setMaxInflight(50);
        var alice = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(fx.broker.tcpUri(), "frank:iot",
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
            alice.publish("chat/u/gina", ("{\"cid\":\"" + cid + "\",\"body\":\"x\"}").getBytes(StandardCharsets.UTF_8), 1,
                    false, null, new org.eclipse.paho.client.mqttv3.IMqttActionListener() {
                        @Override
                        public void onSuccess(org.eclipse.paho.client.mqttv3.IMqttToken token) {
                            if (!writes.stored.contains(cid)) {
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
        assertThat(writes.maxInStore()).isGreaterThanOrEqualTo(5);
        assertThat(order).containsExactlyElementsOf(range(count));
        assertThat(early).as("PUBACKs before their message was stored").isEmpty();
        assertThat(bobInbox.chat()).extracting(n -> n.get("cid").asText())
                .containsExactlyElementsOf(range(count).stream().map(i -> "t-" + i).toList());
        alice.disconnect().waitForCompletion();
    }

    @Test
    void deliveriesOfAConversationFollowSeqOrderAcrossSendersWhateverOrderTheStoresFinishIn() throws Exception {
        // every write of this group takes 0-40 ms, so stores finish in a different order than seqs were taken
        writes.latency(m -> m.conv().isGroup() ? ThreadLocalRandom.current().nextLong(40) : 20);
        fx.createGroup("g-order", "alice", "bob", "carol", "dave", "erin");
        // other devices than the first test's: each test has its own connections
        Inbox erinInbox = new Inbox();
        fx.mqtt5("erin", "tablet", erinInbox); // a member device that subscribes to nothing itself
        List<MqttAsyncClient> senders = new ArrayList<>();
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            senders.add(fx.mqtt5(user, "tablet"));
        }
        awaitGroupSubscription("erin:tablet", "g-order");
        int perSender = 60;
        List<List<Ack>> acks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (MqttAsyncClient sender : senders) {
            List<Ack> mine = new CopyOnWriteArrayList<>();
            acks.add(mine);
            Thread thread = new Thread(() -> {
                try {
                    publishAll(sender, "chat/g/g-order", "g-", perSender, 20, mine);
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
        writes.latency(m -> 20);
        assertThat(erinInbox.chat()).extracting(n -> n.get("seq").asLong()).as("seqs as delivered")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
    }

    /**
     * Publishes {@code count} messages {@code m-0...} keeping {@code window} in flight; the outcomes in PUBACK order.
     * (A cid is the sender's, whatever the recipient: tests of one sender use different ones, see
     * {@link #publishAll(MqttAsyncClient, String, String, int, int, List)}.)
     */
    private List<Ack> publishAll(MqttAsyncClient client, String topic, int count, int window) throws Exception {
        return publishAll(client, topic, "m-", count, window, new CopyOnWriteArrayList<>());
    }

    private List<Ack> publishAll(MqttAsyncClient client, String topic, String cidPrefix, int count, int window,
                                 List<Ack> acks) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            int index = i;
            String cid = cidPrefix + i;
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
        boolean storedBefore = writes.stored.contains(cid);
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

    private static void awaitGroupSubscription(String clientId, String groupId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> com.hivemq.extension.sdk.api.services.Services
                .subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .anyMatch(s -> s.getTopicFilter().equals("chat/g/" + groupId)));
    }
}
