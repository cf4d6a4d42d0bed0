package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Conversation summaries written by the broker and sync requests over MQTT ({@code chat/req/{user}}),
 * through a real embedded HiveMQ with the extension and real Paho clients (MQTT 5 and 3.1.1).
 */
class SyncOverMqttEndToEndTest {

    private static final String CONV = "d:sam:tia";
    @RegisterExtension
    static final BrokerFixture fx = BrokerFixture.forTestClass(Duration.ofSeconds(5), "sam", "tia", "uma");

    /** What arrived: topic, payload and (MQTT 5) correlation data. */
    record Arrival(String topic, JsonNode json, byte[] correlation) {
    }

    @BeforeAll
    static void prepare() throws Exception {
        MqttAsyncClient sam = fx.mqtt5("sam", "phone");
        for (int i = 1; i <= 5; i++) {
            IMqttToken ack = publish(sam, "chat/u/tia", "{\"cid\":\"s-" + i + "\",\"body\":\"hello " + i + "\"}", null);
            assertThat(((MqttPubAck) ack.getResponse()).getReturnCode()).isLessThan(0x80);
        }
        sam.disconnect().waitForCompletion();
        // summaries follow the PUBACK (they are not waited for); sync reads them
        await().atMost(Duration.ofSeconds(10)).until(() -> summary("tia") != null && summary("tia").getLong("lastSeq") == 5);
    }

    private static Document summary(String user) {
        return fx.mongoClient.getDatabase("mqchat").getCollection(StoreSchema.CONVERSATIONS)
                .find(Filters.eq("_id", user + "|" + CONV)).first();
    }

    private static IMqttToken publish(MqttAsyncClient client, String topic, String payload, MqttProperties properties)
            throws Exception {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        if (properties != null) {
            message.setProperties(properties);
        }
        IMqttToken token = client.publish(topic, message);
        try {
            token.waitForCompletion(15_000);
        } catch (MqttException refused) {
            // an error PUBACK; the test reads it
        }
        return token;
    }

    private static MqttAsyncClient connect5(String user, String device, List<Arrival> arrivals, String... filters)
            throws Exception {
        MqttAsyncClient client = fx.mqtt5(user, device);
        client.setCallback(new MqttCallback() {
            public void disconnected(MqttDisconnectResponse r) {
            }

            public void mqttErrorOccurred(MqttException e) {
            }

            public void messageArrived(String topic, MqttMessage m) throws Exception {
                arrivals.add(new Arrival(topic, Json.MAPPER.readTree(m.getPayload()),
                        m.getProperties() == null ? null : m.getProperties().getCorrelationData()));
            }

            public void deliveryComplete(IMqttToken t) {
            }

            public void connectComplete(boolean reconnect, String uri) {
            }

            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        for (String filter : filters) {
            IMqttToken sub = client.subscribe(new MqttSubscription(filter, 1));
            sub.waitForCompletion(10_000);
            assertThat(sub.getReasonCodes()).as(filter).containsExactly(1);
        }
        return client;
    }

    private static List<Arrival> syncAnswers(List<Arrival> arrivals) {
        return arrivals.stream().filter(a -> "sync".equals(a.json().path("type").asText())).toList();
    }

    @Test
    void theBrokerMaintainsSummariesAfterStoring() {
        Document tia = summary("tia");
        assertThat(tia.getString("peer")).isEqualTo("sam");
        assertThat(tia.get("last", Document.class).getString("text")).isEqualTo("hello 5");
        assertThat(tia.getList("unreadSeqs", Long.class)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        Document sam = summary("sam");
        assertThat(sam.getLong("readSeq")).as("sending marks the sender's own read position").isEqualTo(5);
        assertThat(sam.getList("unreadSeqs", Long.class, List.of())).isEmpty();
    }

    @Test
    void mqtt5SyncAnswersOnTheResponseTopicWithCorrelationDataAndPages() throws Exception {
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        MqttAsyncClient tia = connect5("tia", "tablet", arrivals, "chat/res/tia/tablet", "chat/u/tia");
        long stored = fx.messages().countDocuments();
        MqttProperties props = new MqttProperties();
        props.setResponseTopic("chat/res/tia/tablet");
        props.setCorrelationData("corr-1".getBytes(StandardCharsets.UTF_8));
        IMqttToken ack = publish(tia, "chat/req/tia", "{\"op\":\"sync\",\"rid\":\"r1\",\"limit\":3}", props);
        assertThat(((MqttPubAck) ack.getResponse()).getReturnCode()).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> syncAnswers(arrivals).size() == 1);
        Arrival first = syncAnswers(arrivals).get(0);
        assertThat(first.topic()).isEqualTo("chat/res/tia/tablet");
        assertThat(new String(first.correlation(), StandardCharsets.UTF_8)).isEqualTo("corr-1");
        assertThat(first.json().get("rid").asText()).isEqualTo("r1");
        assertThat(first.json().has("seq")).isFalse();
        assertThat(first.json().get("messages")).extracting(m -> m.get("seq").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(first.json().get("hasMore").asBoolean()).isTrue();
        assertThat(first.json().get("complete").get(CONV).asLong()).isEqualTo(3);

        props.setCorrelationData("corr-2".getBytes(StandardCharsets.UTF_8));
        publish(tia, "chat/req/tia", "{\"op\":\"sync\",\"rid\":\"r2\",\"cursor\":\""
                + first.json().get("cursor").asText() + "\"}", props);
        await().atMost(Duration.ofSeconds(10)).until(() -> syncAnswers(arrivals).size() == 2);
        JsonNode second = syncAnswers(arrivals).get(1).json();
        assertThat(second.get("rid").asText()).isEqualTo("r2");
        assertThat(second.get("messages")).extracting(m -> m.get("body").asText()).containsExactly("hello 4", "hello 5");
        assertThat(second.get("hasMore").asBoolean()).isFalse();
        assertThat(second.get("complete").get(CONV).asLong()).isEqualTo(5);
        // a request is never stored, and never reaches anyone else's inbox
        assertThat(fx.messages().countDocuments()).isEqualTo(stored);
        assertThat(arrivals).allMatch(a -> a.topic().equals("chat/res/tia/tablet"));
        tia.disconnect().waitForCompletion();
    }

    @Test
    void mqtt311SyncAnswersOnTheInboxWithTheRid() throws Exception {
        var tia = fx.mqtt3("tia", "phone");
        List<JsonNode> inbox = new CopyOnWriteArrayList<>();
        tia.subscribe("chat/u/tia", 1, (topic, msg) -> inbox.add(Json.MAPPER.readTree(msg.getPayload())))
                .waitForCompletion(10_000);
        tia.publish("chat/req/tia", "{\"op\":\"sync\",\"rid\":\"old-1\",\"conversations\":{\"d:sam:tia\":2}}"
                .getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.stream().anyMatch(n -> n.path("type").asText().equals("sync")));
        JsonNode answer = inbox.stream().filter(n -> n.path("type").asText().equals("sync")).findFirst().orElseThrow();
        assertThat(answer.get("rid").asText()).isEqualTo("old-1");
        assertThat(answer.get("messages")).extracting(m -> m.get("seq").asLong()).containsExactly(3L, 4L, 5L);

        tia.publish("chat/req/tia", "{\"op\":\"sync\",".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.stream().anyMatch(n -> n.path("type").asText().equals("error")));
        JsonNode error = inbox.stream().filter(n -> n.path("type").asText().equals("error")).findFirst().orElseThrow();
        assertThat(error.get("code").asText()).isEqualTo("malformed_payload");
        assertThat(error.get("topic").asText()).isEqualTo("chat/req/tia");
        assertThat(tia.isConnected()).isTrue();
        tia.disconnect().waitForCompletion();
    }

    @Test
    void refusedRequestsGetTheChatReasonCodes() throws Exception {
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        MqttAsyncClient uma = connect5("uma", "desktop", arrivals, "chat/u/uma");
        long stored = fx.messages().countDocuments();
        record Case(String topic, String payload, String responseTopic, int code, String reason) {
        }
        for (Case c : List.of(
                new Case("chat/req/tia", "{\"op\":\"sync\"}", null, 0x87, "not_authorized"),
                new Case("chat/req/uma", "{\"op\":\"sync\"", null, 0x99, "malformed_payload"),
                new Case("chat/req/uma", "{\"op\":\"delete\"}", null, 0x99, "invalid_field"),
                new Case("chat/req/uma", "{\"op\":\"sync\",\"conversations\":{\"d:sam:tia\":0}}", null, 0x99, "invalid_field"),
                new Case("chat/req/uma", "{\"op\":\"sync\",\"cursor\":\"garbage\"}", null, 0x99, "invalid_field"),
                new Case("chat/req/uma", "{\"op\":\"sync\"}", "chat/u/tia", 0x87, "not_authorized"))) {
            MqttProperties props = new MqttProperties();
            if (c.responseTopic() != null) {
                props.setResponseTopic(c.responseTopic());
            }
            IMqttToken ack = publish(uma, c.topic(), c.payload(), props);
            assertThat(((MqttPubAck) ack.getResponse()).getReturnCode()).as(c.toString()).isEqualTo(c.code());
            assertThat(ack.getResponse().getProperties().getReasonString()).as(c.toString()).startsWith(c.reason());
        }
        assertThat(fx.messages().countDocuments()).isEqualTo(stored);
        assertThat(uma.isConnected()).isTrue();
        // uma has no conversations: her own sync answers, on her inbox, with nothing
        publish(uma, "chat/req/uma", "{\"op\":\"sync\"}", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> syncAnswers(arrivals).size() == 1);
        assertThat(syncAnswers(arrivals).get(0).json().get("messages")).isEmpty();
        assertThat(syncAnswers(arrivals).get(0).topic()).isEqualTo("chat/u/uma");
        uma.disconnect().waitForCompletion();
    }
}
