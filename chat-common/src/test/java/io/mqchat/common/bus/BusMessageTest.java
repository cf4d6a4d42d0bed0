package io.mqchat.common.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bus messages between the nodes and services, as they cross Redis. */
class BusMessageTest {

    private static final ChatMessage STORED = new ChatMessage("65a1b2c3d4e5f60718293a4b", "d:alice:bob", 42, "alice",
            "bob", 1_700_000_000_000L, "phone", "c-1", "text",
            Json.MAPPER.getNodeFactory().textNode("quotes \" and \\ and {\"json\": true}"), null, List.of());

    @Test
    void aDeliveryCarriesTheStoredMessageAsAnObjectAndComesBackEqual() throws Exception {
        String json = BusMessage.delivery("node-1", "chat/u/bob", STORED).toJson();
        JsonNode tree = Json.MAPPER.readTree(json);
        assertThat(tree.get("message").isObject()).as("the message is JSON, not text inside JSON").isTrue();
        assertThat(tree.has("payload")).isFalse();
        BusMessage back = BusMessage.fromJson(json).orElseThrow();
        assertThat(back.kind()).isEqualTo(BusMessage.DELIVERY);
        assertThat(back.origin()).isEqualTo("node-1");
        assertThat(back.topic()).isEqualTo("chat/u/bob");
        assertThat(back.message()).isEqualTo(STORED);
    }

    @Test
    void aDeliveryWithoutOriginTopicOrAWholeMessageIsIgnored() {
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"topic\":\"chat/u/bob\",\"message\":"
                + STORED.toJson() + "}")).isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"message\":" + STORED.toJson() + "}"))
                .isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"topic\":\"chat/u/bob\","
                + "\"message\":{\"id\":\"x\",\"conv\":\"d:a:b\"}}")).as("no seq").isEmpty();
        assertThat(BusMessage.fromJson("{\"kind\":\"delivery\",\"origin\":\"n\",\"topic\":\"chat/u/bob\","
                + "\"message\":\"{\\\"id\\\":\\\"x\\\"}\"}")).as("text, not an object").isEmpty();
    }
}
