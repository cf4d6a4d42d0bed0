package io.mqchat.common.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bus messages between the nodes and services, as they cross Redis. */
class BusMessageTest {

    private static final ChatMessage STORED = new ChatMessage("65a1b2c3d4e5f60718293a4b", ConversationId.of("d:alice:bob"), 42, "alice",
            "bob", 1_700_000_000_000L, "phone", "c-1", "text",
            Json.MAPPER.getNodeFactory().textNode("quotes \" and \\ and {\"json\": true}"), null, List.of());

    @Test
    void aDeliveryCarriesTheStoredMessageAsAnObjectAndComesBackEqual() throws Exception {
        String json = BusMessage.delivery("node-1", "chat/u/bob", STORED).toJson();
        JsonNode tree = Json.MAPPER.readTree(json);
        assertThat(tree.get("message").isObject()).as("the message is JSON, not text inside JSON").isTrue();
        assertThat(tree.has("payload")).isFalse();
        assertThat(tree.get("kind").asText()).isEqualTo("delivery");
        BusMessage.Delivery back = (BusMessage.Delivery) BusMessage.fromJson(json).orElseThrow();
        assertThat(back.origin()).isEqualTo("node-1");
        assertThat(back.topic()).isEqualTo("chat/u/bob");
        assertThat(back.message()).isEqualTo(STORED);
    }

    @Test
    void aDeliveryWithoutOriginTopicOrAWholeMessageIsIgnored() {
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"topic\":\"chat/u/bob\",\"message\":"
                + new String(STORED.toJsonBytes(), StandardCharsets.UTF_8) + "}")).isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"message\":" + new String(STORED.toJsonBytes(), StandardCharsets.UTF_8) + "}"))
                .isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"topic\":\"chat/u/bob\","
                + "\"message\":{\"id\":\"x\",\"conv\":\"d:alice:bob\"}}")).as("no seq").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"topic\":\"chat/u/bob\","
                + "\"message\":\"{\\\"id\\\":\\\"x\\\"}\"}")).as("text, not an object").isEmpty();
    }

    @Test
    void everyKindComesBackEqualUnderItsKindName() throws Exception {
        Map<String, BusMessage> byKind = new LinkedHashMap<>();
        byKind.put("publish", BusMessage.publishToClient("bob:phone", "chat/u/bob", "{\"type\":\"read\"}"));
        byKind.put("group", BusMessage.group("team", List.of("alice"), List.of("bob"), "{}"));
        byKind.put("forward", BusMessage.forward("node-1", "chat/p/bob", "{}", true));
        byKind.put("delivery", BusMessage.delivery("node-1", "chat/u/bob", STORED));
        byKind.put("node", BusMessage.node("node-2", true));
        byKind.put("disconnect", BusMessage.disconnect("bob:phone", "t-1", "chat/u/bob", "{}", "kicked", true));
        byKind.put("account_deleted", BusMessage.accountDeleted("fay"));
        byKind.put("relation", BusMessage.relationChanged("vic", "una"));
        assertThat(byKind).as("one of each kind").hasSize(BusMessage.class.getPermittedSubclasses().length);
        assertThat(BusMessage.fromJson(BusMessage.relationChanged("vic", null).toJson()))
                .contains(BusMessage.relationChanged("vic", null));
        for (Map.Entry<String, BusMessage> e : byKind.entrySet()) {
            String json = e.getValue().toJson();
            assertThat(Json.MAPPER.readTree(json).get("kind").asText()).isEqualTo(e.getKey());
            assertThat(BusMessage.fromJson(json)).as(json).contains(e.getValue());
        }
        assertThat(((BusMessage.NodeUp) byKind.get("node")).isReply()).isTrue();
        assertThat(BusMessage.node("n", false).isReply()).isFalse();
        assertThat(Json.MAPPER.readTree(byKind.get("node").toJson()).get("reason").asText())
                .as("the text nodes of earlier versions send").isEqualTo("reply");
    }

    @Test
    void somethingThatIsNotAWellFormedBusMessageIsIgnored() {
        assertThat(BusMessage.fromJson("{\"topic\":\"chat/u/bob\",\"payload\":\"{}\"}")).as("no kind").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"erase\",\"topic\":\"#\"}")).as("unknown kind").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"publish\",\"topic\":\"chat/u/bob\"}")).as("no payload").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"group\",\"groupId\":\"team\",\"subscribe\":[\"$where\"]}"))
                .as("not a user id").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"forward\",\"topic\":\"t\",\"payload\":\"{}\"}"))
                .as("no origin").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"disconnect\"}")).as("no client").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"account_deleted\",\"userId\":\"a\"}")).as("not a user id").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"relation\",\"user\":\"vic\",\"other\":\"$ne\"}"))
                .as("not a user id").isEmpty();
        assertThat(BusMessage.fromJson("not json")).isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"publish\",\"topic\":\"t\",\"payload\":\"{}\",\"later\":1}"))
                .as("a field a newer version adds").isPresent();
    }
}
