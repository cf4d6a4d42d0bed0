package io.mqchat.common.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookBodyTest {

    private static final ChatMessage MESSAGE = new ChatMessage("656f0c1f2a3b4c5d6e7f8091", ConversationId.direct("alice", "bob"),
            7, "alice", "bob", 1_700_000_000_000L, "phone", "c-1", "text", TextNode.valueOf("Hi \"Bob\" ✓"));

    @Test
    void aMessageOfflineBodyRoundTrips() throws Exception {
        WebhookBody body = new WebhookBody("d-1", WebhookEvents.MESSAGE_OFFLINE, 1_700_000_000_123L,
                WebhookBody.MessageOffline.of("bob", MESSAGE));
        byte[] json = body.toJsonBytes();
        WebhookBody back = WebhookBody.fromJson(json);
        assertThat(back.deliveryId()).isEqualTo("d-1");
        assertThat(back.event()).isEqualTo("message.offline");
        assertThat(back.ts()).isEqualTo(1_700_000_000_123L);
        assertThat(back.data(WebhookBody.MessageOffline.class)).isEqualTo(body.data());
        JsonNode tree = Json.MAPPER.readTree(json);
        assertThat(tree.get("data").get("preview").asText()).isEqualTo("Hi \"Bob\" ✓");
        assertThat(tree.get("data").get("conv").asText()).isEqualTo("d:alice:bob");
        assertThat(tree.get("data").get("seq").asLong()).isEqualTo(7);
    }

    @Test
    void theOtherBodiesRoundTrip() {
        WebhookBody.MessageStored stored = WebhookBody.MessageStored.of(MESSAGE);
        assertThat(WebhookBody.fromJson(new WebhookBody("d-2", WebhookEvents.MESSAGE_STORED, 1, stored).toJsonBytes())
                .data(WebhookBody.MessageStored.class)).isEqualTo(stored);
        WebhookBody.UserPresence online = new WebhookBody.UserPresence("amy", true, List.of("desktop", "phone"));
        assertThat(WebhookBody.fromJson(new WebhookBody("d-3", WebhookEvents.USER_ONLINE, 2, online).toJsonBytes())
                .data(WebhookBody.UserPresence.class)).isEqualTo(online);
        WebhookBody.GroupChanged changed = new WebhookBody.GroupChanged("team", "member_added", "amy",
                Json.MAPPER.createObjectNode().put("event", "member_added").put("user", "bob"));
        assertThat(WebhookBody.fromJson(new WebhookBody("d-4", WebhookEvents.GROUP_CHANGED, 3, changed).toJsonBytes())
                .data(WebhookBody.GroupChanged.class)).isEqualTo(changed);
    }

    @Test
    void aNonTextBodyHasANullPreview() {
        ChatMessage image = new ChatMessage("656f0c1f2a3b4c5d6e7f8092", ConversationId.direct("alice", "bob"), 8, "alice",
                "bob", 1, "phone", "c-2", "image", Json.MAPPER.createObjectNode().put("url", "https://x"));
        JsonNode tree = Json.MAPPER.valueToTree(WebhookBody.MessageStored.of(image));
        assertThat(tree.has("preview")).isTrue();
        assertThat(tree.get("preview").isNull()).isTrue();
    }
}
