package io.mqchat.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test helpers: a fixed test secret and a tiny HTTP client against a running app. */
public final class TestSupport {

    /** Test-only secret; production secrets come from MQCHAT_JWT_SECRET, never from the repo. */
    public static final String SECRET = "test-secret-test-secret-test-secret!!";

    /** One embedded Redis for the test JVM (device logins, presence, the bus). */
    private static io.mqchat.embedded.EmbeddedRedis redis;

    private static org.redisson.api.RedissonClient redisson;

    /** A token that is its device's current login, as if the user had logged in (without a password). */
    public static synchronized String loggedInToken(String user, String device) {
        if (redisson == null) {
            org.redisson.config.Config config = new org.redisson.config.Config();
            config.useSingleServer().setAddress(redisAddress());
            redisson = org.redisson.Redisson.create(config);
        }
        return new io.mqchat.common.redis.DeviceLogins(redisson, java.time.Clock.systemUTC())
                .issue(new io.mqchat.common.auth.AccessTokens(SECRET), user, device, Duration.ofHours(1),
                        io.mqchat.common.auth.DevicePolicy.perType()).token();
    }

    public static synchronized String redisAddress() {
        if (redis == null) {
            redis = io.mqchat.embedded.EmbeddedRedis.start(0, null);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
        }
        return redis.address();
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestSupport() {
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
