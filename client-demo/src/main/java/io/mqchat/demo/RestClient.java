package io.mqchat.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ServerEvent;

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
 * The REST side a chat client needs, on the JDK's {@link HttpClient}: register and log in, groups (chat-api);
 * history, sync, the conversation list and read positions (history-service). Blocking; call it off any
 * event thread. A {@code 401} on a call with a token means the token is dead (this device was replaced by a
 * newer login, or logged out): {@link ProblemResponse#loggedOut()}.
 */
public final class RestClient {

    /** A login: the token is the MQTT password, the client id is the MQTT client id. */
    public record Login(String token, String clientId, Instant expiresAt) {
    }

    /** One page of history, ascending by seq; ask again with {@code afterSeq} = last seq while hasMore. */
    public record HistoryPage(String conv, List<ChatMessage> messages, boolean hasMore) {
    }

    /**
     * One entry of the conversation list; {@code lastText} is null for non-text messages. Direct conversations
     * have a {@code peer}; group conversations ({@code g:{groupId}}) a {@code groupId} instead, and
     * {@code mentioned} says whether an unread message mentions us. {@code type} is {@code "direct"} or
     * {@code "group"} (derived from {@code conv} when the server does not say).
     */
    public record Conversation(String conv, String peer, long lastSeq, long lastTs, String lastFrom, String lastText,
                               long readSeq, long unread, long peerReadSeq, String type, String groupId,
                               boolean mentioned) {

        /** A direct conversation's entry (no group fields). */
        public Conversation(String conv, String peer, long lastSeq, long lastTs, String lastFrom, String lastText,
                            long readSeq, long unread, long peerReadSeq) {
            this(conv, peer, lastSeq, lastTs, lastFrom, lastText, readSeq, unread, peerReadSeq,
                    GroupEventText.groupId(conv) != null ? "group" : "direct", GroupEventText.groupId(conv), false);
        }

        public boolean isGroup() {
            return groupId != null;
        }
    }

    /** A group as its members see it ({@code GroupView} of chat-api); {@code role} is ours: owner, admin or member. */
    public record Group(String groupId, String conv, String name, String owner, int memberCount, String role) {
    }

    /** The answer to marking a conversation read. */
    public record ReadPosition(String conv, long readSeq, long unread) {
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

    /** {@code POST /api/v1/auth/token} with client credentials: a service account's token. */
    public Login serviceToken(URI api, String serviceId, String secret) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("grant_type", "client_credentials")
                .put("client_id", serviceId).put("client_secret", secret);
        JsonNode json = send(post(resolve(api, "/api/v1/auth/token"), body));
        return new Login(json.path("token").asText(), null, Instant.parse(json.path("expiresAt").asText()));
    }

    /** {@code GET /api/v1/conversations/{conv}/messages?afterSeq=N&limit=L} with the bearer token. */
    public HistoryPage history(URI history, String token, String conv, long afterSeq, int limit) throws IOException {
        requireConversationId(conv);
        URI uri = resolve(history, "/api/v1/conversations/" + conv + "/messages?afterSeq=" + afterSeq
                + "&limit=" + limit);
        JsonNode json = send(authorized(get(uri), token));
        List<ChatMessage> messages = new ArrayList<>();
        json.path("messages").forEach(m -> messages.add(ChatMessage.fromJson(m)));
        return new HistoryPage(json.path("conv").asText(conv), messages, json.path("hasMore").asBoolean());
    }

    /**
     * {@code POST /api/v1/sync} with the stored cursor ({@code null}: everything, as for a new device): the
     * messages (per conversation in ascending seq), how far each conversation it looked at is complete, the
     * cursor to store, whether to ask again now, after how many ms to ask again when a young gap stopped a
     * conversation, the recalls since the cursor's last sync and the groups we are no longer in.
     */
    public ServerEvent.Sync sync(URI history, String token, String cursor, int limit) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("limit", limit);
        if (cursor != null) {
            body.put("cursor", cursor);
        }
        JsonNode json = send(authorized(post(resolve(history, "/api/v1/sync"), body), token));
        try {
            return Json.MAPPER.treeToValue(json, ServerEvent.Sync.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IOException("unreadable sync answer: " + e.getMessage(), e);
        }
    }

    /** {@code GET /api/v1/conversations?limit=N}: the most recently active conversations, with unread counts. */
    public List<Conversation> conversations(URI history, String token, int limit) throws IOException {
        JsonNode json = send(authorized(get(resolve(history, "/api/v1/conversations?limit=" + limit)), token));
        List<Conversation> list = new ArrayList<>();
        for (JsonNode c : json.path("conversations")) {
            JsonNode last = c.path("last");
            String conv = c.path("conv").asText();
            // group fields are newer: tolerate their absence (derive them from the conversation id)
            String groupId = c.hasNonNull("groupId") ? c.get("groupId").asText() : GroupEventText.groupId(conv);
            String type = c.hasNonNull("type") ? c.get("type").asText() : groupId != null ? "group" : "direct";
            JsonNode mentioned = c.path("mentioned");
            list.add(new Conversation(conv, c.path("peer").asText(null), c.path("lastSeq").asLong(),
                    c.path("lastTs").asLong(), last.path("from").asText(null),
                    last.hasNonNull("text") ? last.get("text").asText() : null,
                    c.path("readSeq").asLong(), c.path("unread").asLong(), c.path("peerReadSeq").asLong(),
                    type, groupId, mentioned.isBoolean() ? mentioned.asBoolean() : mentioned.asLong() > 0));
        }
        return list;
    }

    /** {@code POST /api/v1/groups {"name","members"}}: a new group with us as its owner (chat-api). */
    public Group createGroup(URI api, String token, String name, List<String> members) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
        members.forEach(body.putArray("members")::add);
        return group(send(authorized(post(resolve(api, "/api/v1/groups"), body), token)));
    }

    /** {@code GET /api/v1/groups?page=&size=}, all pages: the groups we are a member of (chat-api). */
    public List<Group> myGroups(URI api, String token) throws IOException {
        List<Group> groups = new ArrayList<>();
        for (int page = 0; page < 100; page++) {      // at most 10,000 groups: enough for a demo
            JsonNode json = send(authorized(get(resolve(api, "/api/v1/groups?page=" + page + "&size=100")), token));
            json.path("items").forEach(g -> groups.add(group(g)));
            if (!json.path("hasMore").asBoolean()) {
                break;
            }
        }
        return groups;
    }

    /** {@code POST /api/v1/groups/{groupId}/members {"userIds":[...]}} (admins and the owner). */
    public void addMembers(URI api, String token, String groupId, List<String> userIds) throws IOException {
        requireGroupId(groupId);
        ObjectNode body = Json.MAPPER.createObjectNode();
        userIds.forEach(body.putArray("userIds")::add);
        send(authorized(post(resolve(api, "/api/v1/groups/" + groupId + "/members"), body), token));
    }

    /**
     * {@code DELETE /api/v1/groups/{groupId}/members/{userId}}: admins remove members, the owner anyone; with our
     * own user id it is leaving the group.
     */
    public void removeMember(URI api, String token, String groupId, String userId) throws IOException {
        requireGroupId(groupId);
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("invalid user id '" + userId + "': " + Ids.userIdRule());
        }
        send(authorized(HttpRequest.newBuilder(resolve(api, "/api/v1/groups/" + groupId + "/members/" + userId))
                .timeout(TIMEOUT).header("Accept", "application/json").DELETE().build(), token));
    }

    private static Group group(JsonNode g) {
        String groupId = g.path("groupId").asText();
        return new Group(groupId, g.path("conversationId").asText("g:" + groupId), g.path("name").asText(groupId),
                g.path("owner").asText(null), g.path("memberCount").asInt(), g.path("role").asText(null));
    }

    private static void requireGroupId(String groupId) {
        // group ids use only URL-safe characters
        if (!Ids.isValidGroupId(groupId)) {
            throw new IllegalArgumentException("not a group id: " + groupId);
        }
    }

    /** {@code POST /api/v1/conversations/{conv}/read {"seq": N}}: read up to N (only ever moves forward). */
    public ReadPosition markRead(URI history, String token, String conv, long seq) throws IOException {
        requireConversationId(conv);
        JsonNode json = send(authorized(post(resolve(history, "/api/v1/conversations/" + conv + "/read"),
                Json.MAPPER.createObjectNode().put("seq", seq)), token));
        return new ReadPosition(json.path("conv").asText(conv), json.path("readSeq").asLong(), json.path("unread").asLong());
    }

    private static void requireConversationId(String conv) {
        // Conversation ids (d:alice:bob, g:team) only use characters that are safe in a URL path.
        if (ConversationId.parse(conv).isEmpty()) {
            throw new IllegalArgumentException("not a conversation id: " + conv);
        }
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
    }

    private static HttpRequest authorized(HttpRequest request, String token) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", "Bearer " + token).build();
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
        throw new ProblemResponse(status, title, detail);
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
