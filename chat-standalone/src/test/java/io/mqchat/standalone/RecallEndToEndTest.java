package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import org.bson.types.ObjectId;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttPubAck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recall over MQTT ({@code chat/req/{me}}, op recall) and REST on the real one-process stack with Paho
 * clients, and the history policy ({@code web=since-login,iot=none}) for MQTT sync.
 */
class RecallEndToEndTest {

    @TempDir
    static Path dataDir;

    private static EmbeddedStack stack;
    private static StandaloneSettings settings;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(dataDir);
        env.put("MQCHAT_RECALL_WINDOW", "1m");
        env.put("MQCHAT_HISTORYPOLICY", "web=since-login,iot=none");
        settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        for (String user : List.of("ann", "bob")) {
            assertThat(http("POST", settings.apiPort(), "/api/v1/auth/register",
                    "{\"userId\":\"" + user + "\",\"password\":\"secret-pass-1\"}", null).statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static HttpResponse<String> http(String method, int port, String path, String json, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static MultiDeviceEndToEndTest.Device device(String user, String type) throws Exception {
        MultiDeviceEndToEndTest.Device d = new MultiDeviceEndToEndTest.Device();
        HttpResponse<String> r = http("POST", settings.apiPort(), "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"secret-pass-1\",\"deviceType\":\"" + type + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        d.token = Json.MAPPER.readTree(r.body()).get("token").asText();
        d.client = new MqttAsyncClient("tcp://127.0.0.1:" + settings.mqttPort(), user + ":" + type, new MemoryPersistence());
        d.client.setCallback(d);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(d.token.getBytes(StandardCharsets.UTF_8));
        d.client.connect(options).waitForCompletion(10_000);
        d.client.subscribe(new MqttSubscription("chat/u/" + user, 1)).waitForCompletion(10_000);
        return d;
    }

    private static int publish(MultiDeviceEndToEndTest.Device from, String topic, String json) throws Exception {
        MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken token = from.client.publish(topic, m);
        token.waitForCompletion(10_000);
        return ((MqttPubAck) token.getResponse()).getReturnCode();
    }

    private static JsonNode answer(MultiDeviceEndToEndTest.Device d, String rid) {
        await().atMost(Duration.ofSeconds(10)).until(() -> d.inbox.stream().anyMatch(n -> rid.equals(n.path("rid").asText())));
        return d.inbox.stream().filter(n -> rid.equals(n.path("rid").asText())).findFirst().orElseThrow();
    }

    @Test
    void theSenderRecallsOverMqttAndRestAndEveryDeviceOfBothSidesIsTold() throws Exception {
        MultiDeviceEndToEndTest.Device annPhone = device("ann", "phone");
        MultiDeviceEndToEndTest.Device annDesktop = device("ann", "desktop");
        // a message from before bob's web login (login times are whole seconds: let one pass)
        assertThat(publish(annPhone, "chat/u/bob", "{\"cid\":\"r-0\",\"body\":\"before the web login\"}")).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> annDesktop.chat().size() == 1);
        long beforeLogin = annDesktop.chat().get(0).get("ts").asLong();
        await().atMost(Duration.ofSeconds(3)).until(() -> System.currentTimeMillis() / 1000 > beforeLogin / 1000);
        MultiDeviceEndToEndTest.Device bobWeb = device("bob", "web");

        assertThat(publish(annPhone, "chat/u/bob", "{\"cid\":\"r-1\",\"body\":\"meant for someone else\"}")).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.chat().size() == 1);
        String id = bobWeb.chat().get(0).get("id").asText();

        // someone else's message: refused, nothing changes
        assertThat(publish(bobWeb, "chat/req/bob", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"b1\"}")).isLessThan(0x80);
        JsonNode refused = answer(bobWeb, "b1");
        assertThat(refused.get("type").asText()).isEqualTo("error");
        assertThat(refused.get("code").asText()).isEqualTo("not_authorized");

        // the sender recalls over MQTT
        assertThat(publish(annPhone, "chat/req/ann", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"a1\"}")).isLessThan(0x80);
        JsonNode answer = answer(annPhone, "a1");
        assertThat(answer.get("type").asText()).isEqualTo("recall");
        assertThat(answer.get("id").asText()).isEqualTo(id);
        assertThat(answer.has("seq")).isFalse();
        for (MultiDeviceEndToEndTest.Device d : List.of(annDesktop, bobWeb)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.events("recall").stream()
                    .anyMatch(e -> e.get("id").asText().equals(id) && e.get("by").asText().equals("ann")
                            && e.get("conv").asText().equals("d:ann:bob") && e.get("msgSeq").asLong() == 2));
        }
        JsonNode history = Json.MAPPER.readTree(http("GET", settings.historyPort(),
                "/api/v1/conversations/d:ann:bob/messages", null, annPhone.token).body()).get("messages");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("body").asText()).isEqualTo("before the web login");
        assertThat(history.get(1).get("type").asText()).isEqualTo("recalled");
        assertThat(history.get(1).get("body").isNull()).isTrue();
        assertThat(history.get(1).get("cid").asText()).isEqualTo("r-1");

        // over REST from another of the sender's devices
        publish(annPhone, "chat/u/bob", "{\"cid\":\"r-2\",\"body\":\"second thoughts\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.chat().size() == 2);
        String second = bobWeb.chat().get(1).get("id").asText();
        HttpResponse<String> rest = http("POST", settings.historyPort(),
                "/api/v1/conversations/d:ann:bob/messages/" + second + "/recall", null, annDesktop.token);
        assertThat(rest.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(rest.body()).get("type").asText()).isEqualTo("recalled");
        for (MultiDeviceEndToEndTest.Device d : List.of(annPhone, bobWeb)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.events("recall").stream()
                    .anyMatch(e -> e.get("id").asText().equals(second)));
        }

        // history policy over MQTT sync: the web device (since-login) does not get the message from before its
        // login; an iot device (none) gets nothing
        publish(bobWeb, "chat/req/bob", "{\"op\":\"sync\",\"rid\":\"s1\"}");
        JsonNode webSync = answer(bobWeb, "s1");
        assertThat(webSync.get("messages")).extracting(m -> m.get("id").asText()).containsExactly(id, second);
        assertThat(webSync.get("messages").get(0).get("type").asText()).isEqualTo("recalled");
        MultiDeviceEndToEndTest.Device bobIot = device("bob", "iot");
        publish(bobIot, "chat/req/bob", "{\"op\":\"sync\",\"rid\":\"s2\"}");
        assertThat(answer(bobIot, "s2").get("messages")).isEmpty();
        JsonNode iotHistory = Json.MAPPER.readTree(http("GET", settings.historyPort(),
                "/api/v1/conversations/d:ann:bob/messages", null, bobIot.token).body());
        assertThat(iotHistory.get("messages")).isEmpty();
        // outside the window (a message stored ten minutes ago): refused over MQTT and REST
        String oldId = new ObjectId().toHexString();
        try (MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            mongo.getDatabase("mqchat").getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(
                    new ChatMessage(oldId, ConversationId.of("d:ann:bob"), 1000, "ann", "bob", System.currentTimeMillis() - 600_000,
                            "phone", "old-1", "text", TextNode.valueOf("ten minutes old"))));
        }
        publish(annPhone, "chat/req/ann", "{\"op\":\"recall\",\"id\":\"" + oldId + "\",\"rid\":\"a2\"}");
        assertThat(answer(annPhone, "a2").get("code").asText()).isEqualTo("recall_window_passed");
        HttpResponse<String> late = http("POST", settings.historyPort(),
                "/api/v1/conversations/d:ann:bob/messages/" + oldId + "/recall", null, annDesktop.token);
        assertThat(late.statusCode()).isEqualTo(409);

        for (MultiDeviceEndToEndTest.Device d : List.of(annPhone, annDesktop, bobWeb, bobIot)) {
            d.client.disconnect().waitForCompletion(5_000);
        }
    }

    @Test
    void aDeviceThatWasOfflineWithoutASessionLearnsOfTheRecallBySync() throws Exception {
        for (String user : List.of("cat", "dan")) {
            assertThat(http("POST", settings.apiPort(), "/api/v1/auth/register",
                    "{\"userId\":\"" + user + "\",\"password\":\"secret-pass-1\"}", null).statusCode()).isEqualTo(201);
        }
        MultiDeviceEndToEndTest.Device cat = device("cat", "phone");
        MultiDeviceEndToEndTest.Device dan = device("dan", "desktop");
        assertThat(publish(cat, "chat/u/dan", "{\"cid\":\"k-1\",\"body\":\"oops\"}")).isLessThan(0x80);
        assertThat(publish(cat, "chat/u/dan", "{\"cid\":\"k-2\",\"body\":\"stays\"}")).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).until(() -> dan.chat().size() == 2);
        String id = dan.chat().get(0).get("id").asText();

        // dan syncs (MQTT and REST; a new device: no recall list), then goes offline without a session
        publish(dan, "chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d1\"}");
        JsonNode first = answer(dan, "d1");
        assertThat(first.get("messages")).hasSize(2);
        assertThat(first.get("recalls")).isEmpty();
        JsonNode restFirst = Json.MAPPER.readTree(http("GET", settings.historyPort(), "/api/v1/sync", null, dan.token).body());
        assertThat(restFirst.get("messages")).hasSize(2);
        assertThat(restFirst.get("recalls")).isEmpty();
        dan.client.disconnect().waitForCompletion(5_000);

        // cat recalls a message dan already has
        publish(cat, "chat/req/cat", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"c1\"}");
        assertThat(answer(cat, "c1").get("type").asText()).isEqualTo("recall");

        // dan is back (a new login, a clean session: no queued recall event); sync tells it of the recall, once
        MultiDeviceEndToEndTest.Device danAgain = device("dan", "desktop");
        publish(danAgain, "chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d2\",\"cursor\":\""
                + first.get("cursor").asText() + "\"}");
        JsonNode second = answer(danAgain, "d2");
        assertThat(second.get("messages")).isEmpty();
        assertThat(second.get("recalls")).hasSize(1);
        JsonNode recall = second.get("recalls").get(0);
        assertThat(recall.get("id").asText()).isEqualTo(id);
        assertThat(recall.get("conv").asText()).isEqualTo("d:cat:dan");
        assertThat(recall.get("msgSeq").asLong()).isEqualTo(1);
        assertThat(recall.get("recalledAt").asLong()).isPositive();
        publish(danAgain, "chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d3\",\"cursor\":\""
                + second.get("cursor").asText() + "\"}");
        assertThat(answer(danAgain, "d3").get("recalls")).isEmpty();

        // REST: GET with the earlier cursor reports it, POST with the new cursor does not repeat it
        JsonNode restSecond = Json.MAPPER.readTree(http("GET", settings.historyPort(),
                "/api/v1/sync?cursor=" + restFirst.get("cursor").asText(), null, danAgain.token).body());
        assertThat(restSecond.get("recalls")).extracting(r -> r.get("id").asText()).containsExactly(id);
        JsonNode restThird = Json.MAPPER.readTree(http("POST", settings.historyPort(), "/api/v1/sync",
                "{\"cursor\":\"" + restSecond.get("cursor").asText() + "\"}", danAgain.token).body());
        assertThat(restThird.get("recalls")).isEmpty();
        assertThat(restThird.get("messages")).isEmpty();

        for (MultiDeviceEndToEndTest.Device d : List.of(cat, danAgain)) {
            d.client.disconnect().waitForCompletion(5_000);
        }
    }
}
