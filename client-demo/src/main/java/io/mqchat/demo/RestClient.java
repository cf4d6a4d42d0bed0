package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The REST side a chat client needs, on the JDK's {@link HttpClient}: register and log in (chat-api),
 * and read a conversation's history (history-service). Blocking; call it off any event thread.
 */
public final class RestClient {

    /** A login: the token is the MQTT password, the client id is the MQTT client id. */
    public record Login(String token, String clientId, Instant expiresAt) {
    }

    /** One page of history, ascending by seq; ask again with {@code afterSeq} = last seq while hasMore. */
    public record HistoryPage(String conv, List<ChatMessage> messages, boolean hasMore) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** {@code POST /api/v1/auth/register}; 201 on success, a problem (e.g. 409 taken) otherwise. */
    public void register(URI api, String user, String password) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("userId", user).put("password", password);
        send(post(resolve(api, "/api/v1/auth/register"), body));
    }

    /** {@code POST /api/v1/auth/login}: a token for one device type of the user. */
    public Login login(URI api, String user, String password, String device) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("userId", user).put("password", password).put("deviceType", device);
        JsonNode json = send(post(resolve(api, "/api/v1/auth/login"), body));
        String expiresAt = json.path("expiresAt").asText(null);
        return new Login(json.path("token").asText(), json.path("clientId").asText(),
                expiresAt == null ? null : Instant.parse(expiresAt));
    }

    /** {@code GET /api/v1/conversations/{conv}/messages?afterSeq=N&limit=L} with the bearer token. */
    public HistoryPage history(URI history, String token, String conv, long afterSeq, int limit) throws IOException {
        // Conversation ids (d:alice:bob, g:team) only use characters that are safe in a URL path.
        if (ConversationId.parse(conv).isEmpty()) {
            throw new IllegalArgumentException("not a conversation id: " + conv);
        }
        URI uri = resolve(history, "/api/v1/conversations/" + conv + "/messages?afterSeq=" + afterSeq
                + "&limit=" + limit);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET().build();
        JsonNode json = send(request);
        List<ChatMessage> messages = new ArrayList<>();
        json.path("messages").forEach(m -> messages.add(ChatMessage.fromJson(m)));
        return new HistoryPage(json.path("conv").asText(conv), messages, json.path("hasMore").asBoolean());
    }

    private static HttpRequest post(URI uri, JsonNode body) throws IOException {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                .build();
    }

    /** Sends, returns the JSON body of a 2xx answer (an empty object if none), else throws the problem. */
    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted: " + request.uri());
        } catch (IOException e) {
            // The JDK's ConnectException has no message; say which service could not be reached.
            throw new IOException("cannot reach " + request.uri().getScheme() + "://" + request.uri().getAuthority()
                    + " (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")", e);
        }
        byte[] body = response.body();
        JsonNode json = parse(body);
        int status = response.statusCode();
        if (status / 100 == 2) {
            return json == null ? Json.MAPPER.createObjectNode() : json;
        }
        // RFC 9457: title says what kind of problem, detail says what exactly. Fall back to the raw body.
        String title = json != null && json.hasNonNull("title") ? json.get("title").asText() : "HTTP error";
        String detail = json != null && json.hasNonNull("detail") ? json.get("detail").asText()
                : json == null && body.length > 0 ? new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)
                : null;
        throw new ApiException(status, title, detail);
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** Appends a path to a base URL that may itself have a path (e.g. behind a reverse proxy). */
    static URI resolve(URI base, String pathAndQuery) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + pathAndQuery);
    }
}
