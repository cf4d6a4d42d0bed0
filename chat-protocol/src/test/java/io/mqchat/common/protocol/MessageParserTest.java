package io.mqchat.common.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageParserTest {

    private final MessageParser parser = new MessageParser(1024);

    private OutgoingMessage parse(String payload) throws ProtocolException {
        return parser.parse(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), "alice", "bob", null);
    }

    private ProtocolError errorOf(String payload) {
        try {
            parse(payload);
        } catch (ProtocolException e) {
            return e.error();
        }
        throw new AssertionError("accepted: " + payload);
    }

    @Test
    void acceptsJsonTextMessage() throws Exception {
        OutgoingMessage m = parse("{\"cid\":\"c-1\",\"type\":\"text\",\"body\":\"hi\"}");
        assertThat(m.cid()).isEqualTo("c-1");
        assertThat(m.type()).isEqualTo("text");
        assertThat(m.body().asText()).isEqualTo("hi");
        assertThat(m.clientGeneratedCid()).isTrue();
    }

    @Test
    void typeDefaultsToTextAndOtherTypesTakeAnyBody() throws Exception {
        assertThat(parse("{\"cid\":\"c\",\"body\":\"x\"}").type()).isEqualTo("text");
        OutgoingMessage image = parse("{\"cid\":\"c\",\"type\":\"image\",\"body\":{\"url\":\"https://x/y.png\"}}");
        assertThat(image.body().get("url").asText()).isEqualTo("https://x/y.png");
    }

    @Test
    void plainTextIsATextMessageWithServerCidUnlessAUserPropertyGivesOne() throws Exception {
        OutgoingMessage plain = parse("hello there");
        assertThat(plain.body().asText()).isEqualTo("hello there");
        assertThat(plain.clientGeneratedCid()).isFalse();
        OutgoingMessage withCid = parser.parse(ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)), "alice", "bob",
                "prop-cid");
        assertThat(withCid.cid()).isEqualTo("prop-cid");
        assertThat(withCid.clientGeneratedCid()).isTrue();
    }

    @Test
    void refusesBadInputWithTheMatchingError() {
        assertThat(errorOf("{\"cid\":\"c\",\"body\":")).isEqualTo(ProtocolError.MALFORMED_PAYLOAD);
        assertThat(errorOf("[1,2]")).isEqualTo(ProtocolError.MALFORMED_PAYLOAD);
        assertThat(errorOf("{\"body\":\"x\"}")).isEqualTo(ProtocolError.MISSING_CID);
        assertThat(errorOf("{\"cid\":42,\"body\":\"x\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"has space\",\"body\":\"x\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"from\":\"mallory\",\"body\":\"x\"}")).isEqualTo(ProtocolError.FORGED_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"seq\":7,\"body\":\"x\"}")).isEqualTo(ProtocolError.FORGED_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"to\":\"carol\",\"body\":\"x\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"body\":{\"$gt\":\"\"}}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"$where\":\"1\",\"body\":\"x\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"type\":\"Bad Type\",\"body\":\"x\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"cid\":\"d\",\"body\":\"x\"}")).isEqualTo(ProtocolError.MALFORMED_PAYLOAD);
        assertThat(errorOf("   ")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("x".repeat(1025))).isEqualTo(ProtocolError.PAYLOAD_TOO_LARGE);
    }

    @Test
    void acceptsOwnFromAndMatchingTo() throws Exception {
        assertThat(parse("{\"cid\":\"c\",\"from\":\"alice\",\"to\":\"bob\",\"body\":\"x\"}").cid()).isEqualTo("c");
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        assertThatThrownBy(() -> parser.parse(ByteBuffer.wrap(bad), "alice", "bob", null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.error()).isEqualTo(ProtocolError.MALFORMED_PAYLOAD));
    }

    @Test
    void reasonStringCarriesTheStableCode() {
        ProtocolException e = new ProtocolException(ProtocolError.MISSING_CID, "needs cid");
        assertThat(e.reasonString()).isEqualTo("missing_cid: needs cid");
    }

    @Test
    void mentionsAreDistinctUserIdsOrAllAndReservedTypesAreRefused() throws Exception {
        assertThat(parse("{\"cid\":\"c\",\"body\":\"hi\",\"mentions\":[\"bob\",\"all\",\"bob\"]}").mentions())
                .containsExactly("bob", "all");
        assertThat(parse("{\"cid\":\"c\",\"body\":\"hi\"}").mentions()).isEmpty();
        assertThat(errorOf("{\"cid\":\"c\",\"body\":\"hi\",\"mentions\":\"bob\"}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"body\":\"hi\",\"mentions\":[{\"$ne\":1}]}")).isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"body\":\"hi\",\"mentions\":[\"no spaces allowed\"]}"))
                .isEqualTo(ProtocolError.INVALID_FIELD);
        String tooMany = "[" + "\"u1\",".repeat(MessageParser.MAX_MENTIONS) + "\"u2\"]";
        assertThat(errorOf("{\"cid\":\"c\",\"body\":\"hi\",\"mentions\":" + tooMany + "}"))
                .isEqualTo(ProtocolError.INVALID_FIELD);
        assertThat(errorOf("{\"cid\":\"c\",\"type\":\"event\",\"body\":{\"event\":\"dissolved\"}}"))
                .isEqualTo(ProtocolError.INVALID_FIELD);
    }

    @org.junit.jupiter.api.Test
    void reasonStringsNeverCarryWhatMqttStringsMayNot() {
        ProtocolException e = org.assertj.core.api.Assertions.catchThrowableOfType(ProtocolException.class, () ->
                new MessageParser(1024).parse(java.nio.ByteBuffer.wrap(
                        "{\"cid\":\"c1\",\"\uffff\\u0000\\u001b\\ud83d\\ude00\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        "alice", "bob", null));
        org.assertj.core.api.Assertions.assertThat(e.reasonString())
                .isEqualTo("invalid_field: unknown field '\\uffff\\u0000\\u001b\ud83d\ude00'");
        String longName = "x".repeat(1000) + "\ud83d\ude00";
        org.assertj.core.api.Assertions.assertThat(ProtocolException.printable(longName, 300)).hasSize(300);
        org.assertj.core.api.Assertions.assertThat(ProtocolException.printable("ab\ud83d\ude00", 3)).isEqualTo("ab");
    }
}
