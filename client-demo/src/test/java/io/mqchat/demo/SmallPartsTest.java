package io.mqchat.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ServerEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmallPartsTest {

    @Test
    void signalsPrintAsWhoIsTypingWhere() throws Exception {
        ServerEvent typing = ServerEvent.parse(Json.MAPPER.readTree("{\"type\":\"signal\",\"signal\":\"typing\","
                + "\"state\":\"start\",\"from\":\"bob\",\"dev\":\"phone\",\"conv\":\"d:alice:bob\",\"ts\":1}"));
        assertThat(Printer.format(typing)).isEqualTo("* bob is typing…");
        ServerEvent stopped = ServerEvent.parse(Json.MAPPER.readTree("{\"type\":\"signal\",\"signal\":\"typing\","
                + "\"state\":\"stop\",\"from\":\"carol\",\"dev\":\"web\",\"conv\":\"g:team\",\"ts\":1}"));
        assertThat(Printer.format(stopped)).isEqualTo("* carol stopped typing in team");
        ServerEvent other = ServerEvent.parse(Json.MAPPER.readTree("{\"type\":\"signal\",\"signal\":\"recording\","
                + "\"from\":\"bob\",\"dev\":\"phone\",\"conv\":\"d:alice:bob\",\"ts\":1}"));
        assertThat(Printer.format(other)).isEqualTo("* bob: recording");
    }

    @Test
    void mqtt5ReasonStringsSplitIntoCodeAndDetail() {
        SendRefusedException e = SendRefusedException.fromReasonString(0x90, "invalid_field: 'body' is missing");
        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.detail()).isEqualTo("'body' is missing");
        assertThat(e.getMessage()).isEqualTo("invalid_field: 'body' is missing");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void storageUnavailableIsRetryable() {
        assertThat(SendRefusedException.fromReasonString(0x80, "storage_unavailable: timeout").retryable()).isTrue();
    }

    @Test
    void aMissingReasonStringFallsBackToTheReasonCode() {
        SendRefusedException e = SendRefusedException.fromReasonString(0x87, null);
        assertThat(e.code()).isEqualTo("refused");
        assertThat(e.detail()).isEqualTo("reason code 0x87");
    }

    @Test
    void printerMarksOwnMessages() {
        ChatMessage fromBob = new ChatMessage("1", ConversationId.of("d:alice:bob"), 3, "bob", "alice", 0, "phone", "c", "text",
                TextNode.valueOf("hi"));
        ChatMessage mine = new ChatMessage("2", ConversationId.of("d:alice:bob"), 4, "alice", "bob", 0, "phone", "c", "text",
                TextNode.valueOf("yo"));
        ChatMessage mineElsewhere = new ChatMessage("3", ConversationId.of("d:alice:bob"), 5, "alice", "bob", 0, "desktop", "c",
                "sticker", Json.MAPPER.createObjectNode().put("name", "cat"));
        assertThat(Printer.format(fromBob, "alice", "phone")).isEqualTo("[d:alice:bob #3] bob: hi");
        assertThat(Printer.format(mine, "alice", "phone")).isEqualTo("[d:alice:bob #4] alice (you): yo");
        assertThat(Printer.format(mineElsewhere, "alice", "phone"))
                .isEqualTo("[d:alice:bob #5] alice (you, desktop): (sticker) {\"name\":\"cat\"}");
    }
}
