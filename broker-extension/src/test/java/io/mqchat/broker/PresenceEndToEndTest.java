package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Presence through a real broker: no flapping on brief reconnects, and a dead node's devices go offline. */
class PresenceEndToEndTest {

    private static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(Duration.ofSeconds(5), Duration.ofSeconds(2));
        for (String user : List.of("pia", "quinn")) {
            fx.createUser(user);
        }
        // a conversation both took part in makes each other's presence visible (as the broker stores it:
        // the messages, then their summaries)
        List<ChatMessage> talk = List.of(
                new ChatMessage("m-presence-1", ConversationId.of("d:pia:quinn"), 1, "pia", "quinn", 1L, "phone", "c1", "text",
                        TextNode.valueOf("hi")),
                new ChatMessage("m-presence-2", ConversationId.of("d:pia:quinn"), 2, "quinn", "pia", 2L, "desktop", "c2", "text",
                        TextNode.valueOf("hi pia")));
        talk.forEach(m -> fx.messages().insertOne(MessageDocuments.toDocument(m)));
        new SummaryWriter(fx.mongoClient.getDatabase("mqchat").getCollection(StoreSchema.CONVERSATIONS), java.time.Clock.systemUTC()).apply(talk);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static List<JsonNode> presenceOf(Inbox inbox, String user) {
        return inbox.received.stream().filter(n -> "presence".equals(n.path("type").asText())
                && user.equals(n.path("user").asText())).toList();
    }

    @Test
    void aBriefReconnectDoesNotFlapButALongerAbsenceIsOffline() throws Exception {
        Inbox watcher = new Inbox();
        MqttAsyncClient quinn = fx.mqtt5("quinn", "desktop", watcher);
        MqttAsyncClient pia = fx.mqtt5("pia", "phone");
        IMqttToken sub = quinn.subscribe(new MqttSubscription("chat/p/pia", 1));
        sub.waitForCompletion(10_000);
        assertThat(sub.getReasonCodes()).containsExactly(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(watcher, "pia").stream()
                .anyMatch(p -> p.get("online").asBoolean()));

        // gone for less than the 2 s grace: nobody is told pia went offline
        pia.disconnectForcibly(0, 1000, false);
        pia.close(true);
        MqttAsyncClient piaAgain = fx.mqtt5("pia", "phone");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> presenceOf(watcher, "pia").stream().allMatch(p -> p.get("online").asBoolean()));

        // gone for longer: offline, with a last-seen time
        piaAgain.disconnect().waitForCompletion();
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(watcher, "pia").stream()
                .anyMatch(p -> !p.get("online").asBoolean() && p.get("lastSeen").asLong() > 0));
        quinn.disconnect().waitForCompletion();
    }

    @Test
    void devicesOfADeadNodeCountAsOfflineAndAreSweptAway() {
        PresenceStore store = new PresenceStore(fx.redisson);
        // a node that wrote presence and then died: its heartbeat was never renewed
        store.heartbeat("dead-node", Duration.ofMillis(200));
        store.connected("quinn", "tablet", "dead-node", System.currentTimeMillis());
        await().atMost(Duration.ofSeconds(5)).until(() -> !store.isNodeAlive("dead-node"));
        PresenceStore.DevicePresence beforeSweep = store.read("quinn").get("tablet");
        assertThat(beforeSweep == null || !beforeSweep.online()).as("a dead node's device is not online").isTrue();
        // the live node's sweeper removes the entry and records when the device was last seen
        await().atMost(Duration.ofSeconds(10)).until(() -> !fx.redisson.getMap(
                io.mqchat.common.redis.RedisKeys.presence("quinn"), org.redisson.client.codec.StringCodec.INSTANCE)
                .containsKey("tablet"));
        assertThat(store.read("quinn").get("tablet").online()).isFalse();
        assertThat(store.read("quinn").get("tablet").lastSeen()).isPositive();
    }
}
