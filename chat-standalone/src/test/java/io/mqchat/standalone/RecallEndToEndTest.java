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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recall over MQTT ({@code chat/req/{me}}, op recall) and REST on the real one-process stack with Paho
 * clients, and the history policy ({@code web=since-login,iot=none}) for MQTT sync.
 */
class RecallEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_RECALL_WINDOW", "1m")
            .with("MQCHAT_HISTORYPOLICY", "web=since-login,iot=none").users(PASSWORD, "ann", "bob");
    private static final StackClient client = STACK.client();

    private static StackClient.Device device(String user, String type) throws Exception {
        return client.device(user, PASSWORD, type);
    }

    @Test
    void theSenderRecallsOverMqttAndRestAndEveryDeviceOfBothSidesIsTold() throws Exception {
        StackClient.Device annPhone = device("ann", "phone");
        StackClient.Device annDesktop = device("ann", "desktop");
        // a message from before bob's web login (login times are whole seconds: let one pass)
        annPhone.publishAccepted("chat/u/bob", "{\"cid\":\"r-0\",\"body\":\"before the web login\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> annDesktop.chat().size() == 1);
        long beforeLogin = annDesktop.chat().get(0).get("ts").asLong();
        await().atMost(Duration.ofSeconds(3)).until(() -> System.currentTimeMillis() / 1000 > beforeLogin / 1000);
        StackClient.Device bobWeb = device("bob", "web");

        annPhone.publishAccepted("chat/u/bob", "{\"cid\":\"r-1\",\"body\":\"meant for someone else\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.chat().size() == 1);
        String id = bobWeb.chat().get(0).get("id").asText();

        // someone else's message: refused, nothing changes
        bobWeb.publishAccepted("chat/req/bob", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"b1\"}");
        JsonNode refused = bobWeb.answer("b1");
        assertThat(refused.get("type").asText()).isEqualTo("error");
        assertThat(refused.get("code").asText()).isEqualTo("not_authorized");

        // the sender recalls over MQTT
        annPhone.publishAccepted("chat/req/ann", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"a1\"}");
        JsonNode answer = annPhone.answer("a1");
        assertThat(answer.get("type").asText()).isEqualTo("recall");
        assertThat(answer.get("id").asText()).isEqualTo(id);
        assertThat(answer.has("seq")).isFalse();
        for (StackClient.Device d : List.of(annDesktop, bobWeb)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.events("recall").stream()
                    .anyMatch(e -> e.get("id").asText().equals(id) && e.get("by").asText().equals("ann")
                            && e.get("conv").asText().equals("d:ann:bob") && e.get("msgSeq").asLong() == 2));
        }
        JsonNode history = StackClient.json(client.history("GET", "/api/v1/conversations/d:ann:bob/messages", null,
                annPhone.token)).get("messages");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("body").asText()).isEqualTo("before the web login");
        assertThat(history.get(1).get("type").asText()).isEqualTo("recalled");
        assertThat(history.get(1).get("body").isNull()).isTrue();
        assertThat(history.get(1).get("cid").asText()).isEqualTo("r-1");

        // over REST from another of the sender's devices
        annPhone.publishAccepted("chat/u/bob", "{\"cid\":\"r-2\",\"body\":\"second thoughts\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> bobWeb.chat().size() == 2);
        String second = bobWeb.chat().get(1).get("id").asText();
        HttpResponse<String> rest = client.history("POST", "/api/v1/conversations/d:ann:bob/messages/" + second + "/recall",
                null, annDesktop.token);
        assertThat(rest.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(rest.body()).get("type").asText()).isEqualTo("recalled");
        for (StackClient.Device d : List.of(annPhone, bobWeb)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.events("recall").stream()
                    .anyMatch(e -> e.get("id").asText().equals(second)));
        }

        // history policy over MQTT sync: the web device (since-login) does not get the message from before its
        // login; an iot device (none) gets nothing
        bobWeb.publishAccepted("chat/req/bob", "{\"op\":\"sync\",\"rid\":\"s1\"}");
        JsonNode webSync = bobWeb.answer("s1");
        assertThat(webSync.get("messages")).extracting(m -> m.get("id").asText()).containsExactly(id, second);
        assertThat(webSync.get("messages").get(0).get("type").asText()).isEqualTo("recalled");
        StackClient.Device bobIot = device("bob", "iot");
        bobIot.publishAccepted("chat/req/bob", "{\"op\":\"sync\",\"rid\":\"s2\"}");
        assertThat(bobIot.answer("s2").get("messages")).isEmpty();
        JsonNode iotHistory = StackClient.json(client.history("GET", "/api/v1/conversations/d:ann:bob/messages", null,
                bobIot.token));
        assertThat(iotHistory.get("messages")).isEmpty();
        // outside the window (a message stored ten minutes ago): refused over MQTT and REST
        String oldId = new ObjectId().toHexString();
        try (MongoClient mongo = MongoClients.create(STACK.stack().mongoUri())) {
            mongo.getDatabase("mqchat").getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(
                    new ChatMessage(oldId, ConversationId.of("d:ann:bob"), 1000, "ann", "bob", System.currentTimeMillis() - 600_000,
                            "phone", "old-1", "text", TextNode.valueOf("ten minutes old"))));
        }
        annPhone.publishAccepted("chat/req/ann", "{\"op\":\"recall\",\"id\":\"" + oldId + "\",\"rid\":\"a2\"}");
        assertThat(annPhone.answer("a2").get("code").asText()).isEqualTo("recall_window_passed");
        HttpResponse<String> late = client.history("POST", "/api/v1/conversations/d:ann:bob/messages/" + oldId + "/recall",
                null, annDesktop.token);
        assertThat(late.statusCode()).isEqualTo(409);

        for (StackClient.Device d : List.of(annPhone, annDesktop, bobWeb, bobIot)) {
            d.close();
        }
    }

    @Test
    void aDeviceThatWasOfflineWithoutASessionLearnsOfTheRecallBySync() throws Exception {
        client.register("cat", PASSWORD);
        client.register("dan", PASSWORD);
        StackClient.Device cat = device("cat", "phone");
        StackClient.Device dan = device("dan", "desktop");
        cat.publishAccepted("chat/u/dan", "{\"cid\":\"k-1\",\"body\":\"oops\"}");
        cat.publishAccepted("chat/u/dan", "{\"cid\":\"k-2\",\"body\":\"stays\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> dan.chat().size() == 2);
        String id = dan.chat().get(0).get("id").asText();

        // dan syncs (MQTT and REST; a new device: no recall list), then goes offline without a session
        dan.publishAccepted("chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d1\"}");
        JsonNode first = dan.answer("d1");
        assertThat(first.get("messages")).hasSize(2);
        assertThat(first.get("recalls")).isEmpty();
        JsonNode restFirst = Json.MAPPER.readTree(client.history("GET", "/api/v1/sync", null, dan.token).body());
        assertThat(restFirst.get("messages")).hasSize(2);
        assertThat(restFirst.get("recalls")).isEmpty();
        dan.close();

        // cat recalls a message dan already has
        cat.publishAccepted("chat/req/cat", "{\"op\":\"recall\",\"id\":\"" + id + "\",\"rid\":\"c1\"}");
        assertThat(cat.answer("c1").get("type").asText()).isEqualTo("recall");

        // dan is back (a new login, a clean session: no queued recall event); sync tells it of the recall, once
        StackClient.Device danAgain = device("dan", "desktop");
        danAgain.publishAccepted("chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d2\",\"cursor\":\""
                + first.get("cursor").asText() + "\"}");
        JsonNode second = danAgain.answer("d2");
        assertThat(second.get("messages")).isEmpty();
        assertThat(second.get("recalls")).hasSize(1);
        JsonNode recall = second.get("recalls").get(0);
        assertThat(recall.get("id").asText()).isEqualTo(id);
        assertThat(recall.get("conv").asText()).isEqualTo("d:cat:dan");
        assertThat(recall.get("msgSeq").asLong()).isEqualTo(1);
        assertThat(recall.get("recalledAt").asLong()).isPositive();
        danAgain.publishAccepted("chat/req/dan", "{\"op\":\"sync\",\"rid\":\"d3\",\"cursor\":\""
                + second.get("cursor").asText() + "\"}");
        assertThat(danAgain.answer("d3").get("recalls")).isEmpty();

        // REST: GET with the earlier cursor reports it, POST with the new cursor does not repeat it
        JsonNode restSecond = StackClient.json(client.history("GET", "/api/v1/sync?cursor=" + restFirst.get("cursor").asText(),
                null, danAgain.token));
        assertThat(restSecond.get("recalls")).extracting(r -> r.get("id").asText()).containsExactly(id);
        JsonNode restThird = Json.MAPPER.readTree(client.history("POST", "/api/v1/sync",
                "{\"cursor\":\"" + restSecond.get("cursor").asText() + "\"}", danAgain.token).body());
        assertThat(restThird.get("recalls")).isEmpty();
        assertThat(restThird.get("messages")).isEmpty();

        for (StackClient.Device d : List.of(cat, danAgain)) {
            d.close();
        }
    }
}
