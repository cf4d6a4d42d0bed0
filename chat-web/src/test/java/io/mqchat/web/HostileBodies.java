package io.mqchat.web;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jqwik generators of hostile request bodies for the REST fuzz tests (chat-web's test-jar): JSON of the
 * right and the wrong shapes with the services' field names, Mongo operators ({@code {"$ne":null}}), NUL
 * and other control characters, huge strings and numbers, deep nesting, duplicate keys, invalid UTF-8,
 * truncated documents and random bytes.
 */
public final class HostileBodies {

    /** Field names the services read, so that generated objects reach their validation, not just Jackson's. */
    private static final List<String> FIELDS = List.of("userId", "password", "deviceType", "name", "members",
            "description", "joinPolicy", "historyVisibility", "role", "userIds", "owner", "seq", "cursor",
            "conversations", "limit", "afterSeq", "mentions", "$ne", "$gt", "$where", "$regex", "__proto__", "",
            "\u0000", "userId\u0000");

    private HostileBodies() {
    }

    /** Any of the kinds below, as bytes. */
    public static Arbitrary<byte[]> bodies() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, json().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(4, plausible().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(2, deepNesting().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(2, duplicateKeys().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(2, invalidUtf8()),
                net.jqwik.api.Tuple.of(1, truncated().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(1, hugeString().map(HostileBodies::utf8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000)));
    }

    /** A JSON document, mostly an object with the services' field names. */
    public static Arbitrary<String> json() {
        return Arbitraries.oneOf(object(3), object(3), object(3), value(2));
    }

    private static Arbitrary<String> object(int depth) {
        Arbitrary<String> member = Combinators.combine(key(), value(depth - 1))
                .as((k, v) -> k + ":" + v);
        return member.list().ofMaxSize(6).map(members -> "{" + String.join(",", members) + "}");
    }

    private static Arbitrary<String> key() {
        return Arbitraries.oneOf(Arbitraries.of(FIELDS), string()).map(HostileBodies::quote);
    }

    private static Arbitrary<String> value(int depth) {
        Arbitrary<String> scalar = Arbitraries.<String>oneOf(
                string().map(HostileBodies::quote),
                Arbitraries.of("null", "true", "false", "0", "-1", "1e999", "-0.0", "12345678901234567890123",
                        "9223372036854775808", "1.5", "NaN", "\"\"", "{\"$ne\":null}", "{\"$gt\":\"\"}",
                        "[\"$where\"]", "\"phone\"", "\"alice\"", "\"d:alice:bob\"", "\"g:x\""),
                Arbitraries.longs().map(n -> Long.toString(n)),
                Arbitraries.doubles().map(d -> Double.toString(d)));
        if (depth <= 0) {
            return scalar;
        }
        return Arbitraries.oneOf(scalar, scalar, object(depth),
                Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(5)
                        .map(items -> "[" + String.join(",", items) + "]"));
    }

    /** Real field names with values that are nearly right, so that bodies get past parsing into the rules. */
    public static Arbitrary<String> plausible() {
        Arbitrary<String> field = Arbitraries.of("userId", "password", "deviceType", "name", "members",
                "description", "seq", "cursor", "conversations", "limit");
        Arbitrary<String> near = Arbitraries.of("\"alice\"", "\"fuzzer\"", "\"phone\"", "\"web\"",
                "\"s3cret-pass1\"", "\"Team\"", "[\"alice\"]", "[]", "1", "0", "-1", "500", "2147483648", "null",
                "\"\"", "\"al\\u0000ice\"", "{\"$ne\":null}", "[{\"$gt\":\"\"}]", "\"d:alice:fuzzer\"",
                "{\"d:alice:fuzzer\":1}", "\"" + "x".repeat(300) + "\"", "[\"a\",\"a\",\"a\"]", "true");
        return Combinators.combine(field, near).as((k, v) -> "\"" + k + "\":" + v)
                .list().ofMinSize(1).ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
    }

    /** Printable and not: NUL, other controls, surrogates, quotes, backslashes, RTL marks, emoji. */
    private static Arbitrary<String> string() {
        return Arbitraries.strings().withCharRange('\u0000', '\u00ff').withChars('"', '\\', '\u202e', '\ud83d',
                '\ude00', '\ufeff', '/', '$', '.', ':').ofMaxLength(40);
    }

    private static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 3_000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> open.repeat(depth) + "1"
                        + (open.equals("[") ? "]" : "}").repeat(depth));
    }

    private static Arbitrary<String> duplicateKeys() {
        return Combinators.combine(Arbitraries.of(FIELDS), value(1), value(1))
                .as((k, a, b) -> "{" + quote(k) + ":" + a + "," + quote(k) + ":" + b + "}");
    }

    private static Arbitrary<byte[]> invalidUtf8() {
        return Combinators.combine(json(), Arbitraries.of(new byte[]{(byte) 0xC3, 0x28}, new byte[]{(byte) 0xFF},
                        new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[]{(byte) 0xF8, (byte) 0x88},
                        new byte[]{(byte) 0xC0, (byte) 0x80}),
                Arbitraries.integers().between(0, 100))
                .as((doc, bad, at) -> {
                    byte[] text = utf8(doc);
                    int cut = Math.min(text.length, at);
                    byte[] out = new byte[text.length + bad.length];
                    System.arraycopy(text, 0, out, 0, cut);
                    System.arraycopy(bad, 0, out, cut, bad.length);
                    System.arraycopy(text, cut, out, cut + bad.length, text.length - cut);
                    return out;
                });
    }

    private static Arbitrary<String> truncated() {
        return Combinators.combine(object(2), Arbitraries.integers().between(0, 200))
                .as((doc, at) -> doc.substring(0, Math.min(doc.length(), at)));
    }

    /** Up to 200 KB in one string: under the body cap, over every field's own limit. */
    private static Arbitrary<String> hugeString() {
        return Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.integers().between(1_000, 200_000),
                        Arbitraries.chars().range('a', 'z'))
                .as((k, n, c) -> "{" + quote(k) + ":\"" + String.valueOf(c).repeat(n) + "\"}");
    }

    static String quote(String s) {
        return s.chars().mapToObj(c -> switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            default -> c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c);
        }).collect(Collectors.joining("", "\"", "\""));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code body} as JSON to a running service and asserts that the answer is acceptable for any body
     * ({@link #unacceptable}); the status is counted in jqwik's statistics.
     */
    public static void assertAnswerIsAcceptable(int port, String method, String path, byte[] body, String token) {
        TestHttp.Response response = TestHttp.sendBytes(port, method, path, "application/json", body, token);
        // the report shows how far bodies got: mostly 400s from parsing would fuzz only Jackson
        Statistics.label("status").collect(response.status());
        assertThat(unacceptable(response))
                .as("%s %s -> %d %s", method, path, response.status(), response.raw().body())
                .isNull();
    }

    /**
     * Whether an answer is acceptable for any body: success, or a 4xx problem document — never 5xx, HTML or
     * a stack trace. Returns null when it is, otherwise what is wrong.
     */
    public static String unacceptable(TestHttp.Response response) {
        String body = response.raw().body();
        if (body.contains("<html") || body.contains("\tat ") || body.contains("Exception")) {
            return "leaks HTML or a stack trace";
        }
        if (response.status() >= 200 && response.status() < 300) {
            return null;
        }
        if (response.status() < 400 || response.status() >= 500) {
            return "status " + response.status();
        }
        if (!response.contentType().startsWith("application/problem+json") || response.json() == null
                || response.json().path("status").asInt() != response.status()) {
            return "not a problem document";
        }
        return null;
    }
}
