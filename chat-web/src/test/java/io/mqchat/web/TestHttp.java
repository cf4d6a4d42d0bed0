package io.mqchat.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Test helper shared by the services' tests (chat-web's test-jar): a tiny HTTP client against a running app,
 * so end-to-end tests see exactly the bytes a client sees (status, headers, problem documents).
 */
public final class TestHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestHttp() {
    }

    /** A response with its body parsed (null when not JSON). */
    public record Response(int status, HttpResponse<String> raw, JsonNode json) {
        public String contentType() {
            return raw.headers().firstValue("Content-Type").orElse("");
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public static Response send(int port, String method, String path, String contentType, String body, String token) {
        return exchange(port, method, path, contentType, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body), token);
    }

    public static Response postJson(int port, String path, String body) {
        return send(port, "POST", path, "application/json", body, null);
    }

    public static Response get(int port, String path, String token) {
        return send(port, "GET", path, null, null, token);
    }

    /** Like {@link #send} with a body of raw bytes (e.g. invalid UTF-8). */
    public static Response sendBytes(int port, String method, String path, String contentType, byte[] body,
                                     String token) {
        return exchange(port, method, path, contentType, HttpRequest.BodyPublishers.ofByteArray(body), token);
    }

    private static Response exchange(int port, String method, String path, String contentType,
                                     HttpRequest.BodyPublisher body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).method(method, body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            try {
                json = response.body().isEmpty() ? null : Json.MAPPER.readTree(response.body());
            } catch (IOException notJson) {
                // leave json null; tests assert on it
            }
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * An answer read off a raw socket: for requests an HTTP client library would refuse to send or would
     * fix up (encoded slashes, huge headers, lying Content-Length, hand-made chunks).
     *
     * @param headers lower-case names
     */
    public record RawResponse(int status, Map<String, String> headers, String body) {
        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * Writes {@code head} (request line and headers, CRLF-separated, without the blank line; a
     * {@code Connection: close} is added) and then {@code body}, and reads the answer until the server
     * closes the connection. A server that answers early and closes while the body is still being written
     * is fine: the answer read so far is returned.
     */
    public static RawResponse raw(int port, String head, byte[] body) {
        return raw(null, port, head, body);
    }

    /**
     * {@link #raw(int, String, byte[])} from a chosen local address, e.g. {@code 127.0.0.7}: on Linux all of
     * 127/8 is loopback, so a test can be "another client address" (per-address limits) without a proxy.
     */
    public static RawResponse raw(String localAddress, int port, String head, byte[] body) {
        try (Socket socket = localAddress == null ? new Socket("127.0.0.1", port)
                : new Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
                java.net.InetAddress.getByName(localAddress), 0)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException answeredEarly) {
                // the server refused before reading everything and closed: read what it said
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // a reset after the answer was sent: keep what arrived
            }
            return parse(all.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RawResponse parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    break;
                }
                joined.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
            body = joined.toString();
        }
        return new RawResponse(status, headers, body);
    }
}
