package io.mqchat.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.bson.Document;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What must hold for direct messages whatever the stores are: checked against mongo-java-server and the
 * embedded Redis ({@code DirectMessageEndToEndTest}) and against a real MongoDB and Redis
 * ({@code containers.RealStoresEndToEndTest}). The scenario: alice's phone sends bob three hellos.
 */
public final class DirectMessagePromises {

    private DirectMessagePromises() {
    }

    /** The payload of alice's hello number {@code i} (1 to 3). */
    public static String hello(int i) {
        return "{\"cid\":\"a-" + i + "\",\"type\":\"text\",\"body\":\"hi " + i + "\"}";
    }

    /** The three hellos as a device of bob got them: enriched by the broker, in order. */
    public static void assertHellosDelivered(List<JsonNode> got) {
        assertThat(got).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode m = got.get(i);
            assertThat(m.get("seq").asLong()).isEqualTo(i + 1);
            assertThat(m.get("conv").asText()).isEqualTo("d:alice:bob");
            assertThat(m.get("from").asText()).isEqualTo("alice");
            assertThat(m.get("to").asText()).isEqualTo("bob");
            assertThat(m.get("dev").asText()).isEqualTo("phone");
            assertThat(m.get("cid").asText()).isEqualTo("a-" + (i + 1));
            assertThat(m.get("body").asText()).isEqualTo("hi " + (i + 1));
            assertThat(m.get("id").asText()).hasSize(24);
            assertThat(m.get("ts").asLong()).isPositive();
        }
    }

    /** The three hellos are stored once each, in seq order, under the ids that were delivered. */
    public static void assertHellosStored(MongoCollection<Document> messages, List<JsonNode> got) {
        List<Document> stored = messages.find(Filters.eq("conv", "d:alice:bob")).sort(new Document("seq", 1))
                .into(new ArrayList<>());
        assertThat(stored).extracting(d -> d.getString("_id"))
                .containsExactlyElementsOf(got.stream().map(n -> n.get("id").asText()).toList());
        assertThat(stored).extracting(d -> d.getString("body")).containsExactly("hi 1", "hi 2", "hi 3");
    }

    /**
     * A message published twice with the same cid: the sender's device got the one stored message twice (same
     * id, same seq) and it is stored once.
     */
    public static void assertRetryStoredOnce(List<JsonNode> senderGot, MongoCollection<Document> messages,
                                             String from, String cid) {
        assertThat(senderGot).hasSize(2);
        JsonNode first = senderGot.get(0);
        JsonNode second = senderGot.get(1);
        assertThat(second.get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(second.get("seq").asLong()).isEqualTo(first.get("seq").asLong());
        assertThat(messages.countDocuments(Filters.and(Filters.eq("from", from), Filters.eq("cid", cid)))).isEqualTo(1);
    }
}
