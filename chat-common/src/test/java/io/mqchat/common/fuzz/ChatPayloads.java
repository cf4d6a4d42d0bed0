package io.mqchat.common.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Hostile chat payloads for fuzz tests: random bytes, random JSON with odd names and values (NUL characters,
 * {@code $} operators, Extended JSON look-alikes, dotted names, deep nesting, huge numbers), broken JSON, and
 * envelopes with forged, unknown or duplicate fields.
 */
public final class ChatPayloads {

    private ChatPayloads() {
    }

    private static final List<String> ODD_NAMES = List.of("\\u0000", "$ne", "$where", "$numberLong", "$regex",
            "$oid", "$binary", "$date", "a.b", "", " ", "\\u202e", "__proto__", "constructor", "\\ud83d\\ude00",
            "cid", "from", "seq", "id", "body");

    /** A JSON string literal (quoted, escaped), sometimes odd. */
    static Arbitrary<String> stringLiteral() {
        Arbitrary<String> plain = Arbitraries.strings().all().ofMaxLength(40).map(ChatPayloads::quote);
        Arbitrary<String> odd = Arbitraries.of(ODD_NAMES).map(n -> "\"" + n + "\"");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, plain), net.jqwik.api.Tuple.of(2, odd));
    }

    static Arbitrary<String> number() {
        return Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(d -> !d.contains("Infinity") && !d.contains("NaN")),
                Arbitraries.of("1e400", "-0", "0.10", "1E-400", "123456789012345678901234567890", "-1.5e+308"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(300).filter(s -> !s.startsWith("0")));
    }

    /** Random JSON values up to {@code depth} levels of arrays and objects. */
    static Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(stringLiteral(), number(),
                Arbitraries.of("true", "false", "null", "{}", "[]"));
        if (depth <= 0) {
            return leaf;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> value(depth - 1));
        Arbitrary<String> array = inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
        Arbitrary<String> object = Combinators.combine(stringLiteral(), inner).as((k, v) -> k + ":" + v).list()
                .ofMaxSize(4).map(fields -> "{" + String.join(",", fields) + "}");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(2, array),
                net.jqwik.api.Tuple.of(2, object));
    }

    /** Nested arrays and objects deeper than any limit. */
    static Arbitrary<String> deep() {
        return Arbitraries.integers().between(20, 200).map(n -> "[".repeat(n) + "1" + "]".repeat(n));
    }

    /** An envelope {"cid", "type", "body", ...} with random and hostile parts; {@code cid} names it. */
    public static Arbitrary<String> envelope(String cid) {
        Arbitrary<String> type = Arbitraries.oneOf(Arbitraries.of("\"text\"", "\"card\"", "\"recalled\"", "\"event\"",
                "\"TEXT\"", "1", "null", "\"a\\u0000\""), stringLiteral());
        Arbitrary<String> body = Arbitraries.oneOf(value(5), deep(), stringLiteral());
        Arbitrary<String> extra = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.of(",\"from\":\"mallory\"", ",\"seq\":1", ",\"id\":\"x\"", ",\"to\":\"bob\"",
                        ",\"mentions\":[\"bob\"]", ",\"mentions\":\"all\"", ",\"cid\":\"dup\"", ",\"ts\":0",
                        ",\"dev\":\"server\"", ",\"unknown\":1", ",\"$set\":{}"),
                Combinators.combine(stringLiteral(), value(2)).as((k, v) -> "," + k + ":" + v));
        return Combinators.combine(type, body, extra).as((t, b, e) ->
                "{\"cid\":\"" + cid + "\",\"type\":" + t + ",\"body\":" + b + e + "}");
    }

    /** Anything a client could publish: envelopes, broken JSON, plain text and raw bytes. */
    public static Arbitrary<byte[]> payload(String cid) {
        Arbitrary<byte[]> envelope = envelope(cid).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> truncated = envelope(cid).flatMap(s -> Arbitraries.integers().between(0, s.length())
                .map(n -> s.substring(0, n).getBytes(StandardCharsets.UTF_8)));
        Arbitrary<byte[]> json = value(4).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> text = Arbitraries.strings().all().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, envelope), net.jqwik.api.Tuple.of(1, truncated),
                net.jqwik.api.Tuple.of(1, json), net.jqwik.api.Tuple.of(1, text), net.jqwik.api.Tuple.of(1, bytes));
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
