package io.mqchat.common.fuzz;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.MessageParser;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.store.MessageDocuments;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.DocumentCodec;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat payload path without the broker: every payload is either refused with a reason, or accepted, encoded
 * to BSON exactly as the driver writes it, and read back to the very envelope that is delivered live.
 * No other exception may escape. A longer campaign: {@code -Djqwik.tries.default=200000} (see README).
 */
class ChatPayloadFuzzTest {

    private final MessageParser parser = new MessageParser(64 * 1024);
    private final DocumentCodec codec = new DocumentCodec();

    @Provide
    Arbitrary<byte[]> payloads() {
        return ChatPayloads.payload("fuzz-1");
    }

    @Property
    void everyPayloadIsRefusedWithAReasonOrStoredExactly(@ForAll("payloads") byte[] payload) throws Exception {
        OutgoingMessage message;
        try {
            message = parser.parse(ByteBuffer.wrap(payload), "alice", "bob", null);
        } catch (ProtocolException refused) {
            assertThat(refused.reasonString()).matches("[a-z_]+: .+");
            return;
        }
        ChatMessage sent = new ChatMessage("0123456789abcdef01234567", ConversationId.of("d:alice:bob"), 1, "alice", "bob", 1L, "phone",
                message.cid(), message.type(), message.body(), null, message.mentions());
        byte[] live = sent.toJsonBytes();
        // what the driver sends: fails here if BSON cannot hold the document (e.g. a NUL in a field name)
        RawBsonDocument bson = new RawBsonDocument(MessageDocuments.toDocument(sent), codec);
        Document stored = codec.decode(bson.asBsonReader(), DecoderContext.builder().build());
        byte[] fromHistory = MessageDocuments.fromDocument(stored).toJsonBytes();
        assertThat(new String(fromHistory, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(live, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Json.MAPPER.readTree(live).get("from").asText()).isEqualTo("alice");
    }
}
