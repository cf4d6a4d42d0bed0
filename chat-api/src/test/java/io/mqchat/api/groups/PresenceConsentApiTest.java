package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.SummaryWriter;
import io.mqchat.web.TestHttp;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/users/{userId}/presence} follows the same consent as {@code chat/p/{userId}}: a direct
 * conversation both wrote in, or a group both are in — and ends with the group.
 */
class PresenceConsentApiTest extends GroupsApiTestBase {

    private long seq;

    /** A direct message as the broker stores it: the message, then the summaries. */
    private void dm(String from, String to) {
        String conv = io.mqchat.common.protocol.ConversationId.direct(from, to).toString();
        ChatMessage m = new ChatMessage(new ObjectId().toHexString(), ConversationId.of(conv), ++seq, from, to, System.currentTimeMillis(),
                "phone", "c" + seq + from, "text", TextNode.valueOf("hello"));
        db().getCollection(StoreSchema.MESSAGES).insertOne(MessageDocuments.toDocument(m));
        new SummaryWriter(db().getCollection(StoreSchema.CONVERSATIONS), Clock.systemUTC()).apply(List.of(m));
    }

    private TestHttp.Response presence(String viewer, String subject) {
        return call("GET", "/api/v1/users/" + subject + "/presence", null, viewer);
    }

    @Test
    void aStrangersUnansweredMessagesDoNotUnlockPresenceAReplyDoes() {
        List<String> u = users(2);
        String stranger = u.get(0);
        String victim = u.get(1);
        dm(stranger, victim);
        dm(stranger, victim);
        TestHttp.Response refused = presence(stranger, victim);
        assertProblem(refused, 403, "both of you sent one");
        assertThat(refused.json().get("detail").asText()).contains("once they reply");
        assertStatus(presence(victim, stranger), 403);

        dm(victim, stranger);
        TestHttp.Response seen = presence(stranger, victim);
        assertStatus(seen, 200);
        assertThat(seen.json().get("userId").asText()).isEqualTo(victim);
        assertThat(seen.json().get("online").asBoolean()).isFalse();
        assertStatus(presence(victim, stranger), 200);
        assertStatus(presence(victim, victim), 200);
    }

    @Test
    void aSharedGroupShowsPresenceUntilOneLeaves() {
        List<String> u = users(3);
        String owner = u.get(0);
        String member = u.get(1);
        String outsider = u.get(2);
        String g = create(owner, List.of(member), "");
        assertStatus(presence(owner, member), 200);
        assertStatus(presence(member, owner), 200);
        assertStatus(presence(outsider, owner), 403);

        assertStatus(call("DELETE", "/api/v1/groups/" + g + "/members/" + member, null, member), 204);
        assertProblem(presence(owner, member), 403, "share a group");
        assertStatus(presence(member, owner), 403);
        assertProblem(presence(owner, "nosuchuser9"), 404, "No such user");
    }
}
