package io.mqchat.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
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

    public static Response postJson(int port, String path, String body) {
        return send(port, "POST", path, "application/json", body, null);
    }

    public static Response get(int port, String path, String token) {
        return send(port, "GET", path, null, null, token);
    }
}
