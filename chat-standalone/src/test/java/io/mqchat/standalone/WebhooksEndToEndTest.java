package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.sun.net.httpserver.HttpServer;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.webhooks.WebhookSignature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks on the whole stack, with a real HTTP receiver on a free loopback port (private addresses allowed, as for
 * local development): a message to a user with no device online reaches the receiver as a signed
 * {@code message.offline}; a receiver that fails gets it again after the backoff; a stack restart between a failed
 * attempt and the retry loses nothing (the outbox is in the stack's MongoDB file); a device that connects is a
 * {@code user.online}.
 */
class WebhooksEndToEndTest {

    private static final String PASSWORD = "password-4242";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack()
            .with("MQCHAT_ADMINS", "hookroot")
            .with("MQCHAT_WEBHOOKS_ALLOWPRIVATE", "true")
            .with("MQCHAT_WEBHOOKS_BACKOFFBASE", "200ms")
            .with("MQCHAT_WEBHOOKS_BACKOFFMAX", "400ms")
            .with("MQCHAT_WEBHOOKS_MAXATTEMPTS", "50")
            .with("MQCHAT_WEBHOOKS_POLLINTERVAL", "50ms")
            .with("MQCHAT_WEBHOOKS_REFRESH", "200ms")
            .with("MQCHAT_WEBHOOKS_CONNECTTIMEOUT", "1s")
            .with("MQCHAT_WEBHOOKS_READTIMEOUT", "2s")
            .with("MQCHAT_PRESENCE_GRACE", "0s")
            .users(PASSWORD, "hookroot", "alice", "bob", "carol", "dave", "erin", "frank");
    private static final StackClient client = STACK.client();

    /** One request as the receiver got it. */
    record Received(String event, String delivery, String signature, String timestamp, byte[] body, int answered) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    private static HttpServer receiver;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    /** How many of the next requests are answered 500. */
    private static final AtomicInteger failNext = new AtomicInteger();
    private static volatile boolean failAll;
    private static String endpointId;
    private static String secret;

    @BeforeAll
    static void registerReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String event = exchange.getRequestHeaders().getFirst("X-Mqchat-Event");
            // only message.offline deliveries fail: the user.online of the test's own devices must not count
            boolean failing = "message.offline".equals(event)
                    && (failAll || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0);
            int status = failing ? 500 : 204;
            received.add(new Received(event,
                    exchange.getRequestHeaders().getFirst("X-Mqchat-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Mqchat-Signature"),
                    exchange.getRequestHeaders().getFirst("X-Mqchat-Timestamp"), body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        HttpResponse<String> created = client.admin("hookroot", PASSWORD).call("POST", "/webhooks",
                "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\","
                        + "\"events\":[\"message.offline\",\"user.online\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode endpoint = Json.MAPPER.readTree(created.body());
        endpointId = endpoint.get("id").asText();
        secret = endpoint.get("secret").asText();
        // the broker reads the endpoint list every 200 ms here: it knows the endpoint once a connect is a user.online
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (StackClient.Device probe = client.device("hookroot", PASSWORD, "web")) {
                return received.stream().anyMatch(r -> "user.online".equals(r.event()));
            }
        });
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private static List<Received> deliveredOffline(String user) {
        return received.stream().filter(r -> "message.offline".equals(r.event()) && r.answered() == 204)
                .filter(r -> {
                    try {
                        return user.equals(r.json().get("data").get("user").asText());
                    } catch (IOException e) {
                        return false;
                    }
                }).toList();
    }

    private static List<Received> inConversation(List<Received> deliveries, String conv) {
        return deliveries.stream().filter(r -> {
            try {
                return conv.equals(r.json().get("data").get("conv").asText());
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    private static List<Received> attempts(String deliveryId) {
        return received.stream().filter(r -> deliveryId.equals(r.delivery())).toList();
    }

    @Test
    void aMessageToAnOfflineUserIsASignedMessageOfflineAndAFailingReceiverGetsItLater() throws Exception {
        failNext.set(3);
        try (StackClient.Device alice = client.device("alice", PASSWORD, "phone")) {
            alice.publishAccepted("chat/u/bob", "{\"cid\":\"hook-1\",\"body\":\"Are you there, Bob?\"}");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !deliveredOffline("bob").isEmpty());
        Received got = deliveredOffline("bob").get(0);
        assertThat(WebhookSignature.verify(secret, got.body(), got.signature())).as("signature").isTrue();
        // checked independently of the project's code: HMAC-SHA256 of the raw body
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(got.signature()).isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(got.body())));
        assertThat(Long.parseLong(got.timestamp())).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));

        JsonNode body = got.json();
        assertThat(body.get("event").asText()).isEqualTo("message.offline");
        assertThat(body.get("deliveryId").asText()).isEqualTo(got.delivery());
        JsonNode data = body.get("data");
        assertThat(data.get("user").asText()).isEqualTo("bob");
        assertThat(data.get("from").asText()).isEqualTo("alice");
        assertThat(data.get("conv").asText()).isEqualTo("d:alice:bob");
        assertThat(data.get("seq").asLong()).isEqualTo(1);
        assertThat(data.get("preview").asText()).isEqualTo("Are you there, Bob?");
        assertThat(data.get("id").asText()).hasSize(24);

        // the first three attempts were answered 500, the fourth delivered it: the same delivery, body and signature
        List<Received> tries = attempts(got.delivery());
        assertThat(tries).extracting(Received::answered).containsExactly(500, 500, 500, 204);
        assertThat(tries).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).containsOnly(
                new String(got.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aUserOnlineIsPerUserNotPerDeviceAndAGroupMessageIsOneMessageOfflinePerOfflineMember() throws Exception {
        String carolToken = client.login("carol", PASSWORD, "desktop");
        try (StackClient.Device carol = client.new Device("carol", "desktop", carolToken, "chat/u/carol");
             MongoClient mongo = MongoClients.create(STACK.stack().mongoUri())) {
            MongoCollection<Document> outbox = mongo.getDatabase("mqchat").getCollection(StoreSchema.WEBHOOK_DELIVERIES);
            await().atMost(Duration.ofSeconds(10)).until(() -> !ofUser(received(), "user.online", "carol").isEmpty());
            Received online = ofUser(received(), "user.online", "carol").get(0);
            assertThat(WebhookSignature.verify(secret, online.body(), online.signature())).isTrue();
            assertThat(online.json().get("data").get("online").asBoolean()).isTrue();
            assertThat(online.json().get("data").get("devices")).extracting(JsonNode::asText).containsExactly("desktop");

            // carol's second device is no new user.online: once her presence shows both devices and a later first
            // device (frank's) has its user.online queued, the outbox holds still one of carol's
            try (StackClient.Device carolPhone = client.new Device("carol", "phone", client.login("carol", PASSWORD, "phone"),
                    "chat/p/carol");
                 StackClient.Device frank = connectWhenPresenceShows(carolPhone, "frank")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> queued(outbox, "user.online", "\"user\":\"frank\"") == 1);
                assertThat(queued(outbox, "user.online", "\"user\":\"carol\"")).isEqualTo(1);

                // a group of carol (the sender), frank (online), dave and erin (offline)
                HttpResponse<String> group = client.api("POST", "/api/v1/groups",
                        "{\"name\":\"Hooks\",\"members\":[\"dave\",\"erin\",\"frank\"]}", carol.token);
                assertThat(group.statusCode()).as(group.body()).isEqualTo(201);
                String groupId = Json.MAPPER.readTree(group.body()).get("groupId").asText();
                carol.publishAccepted("chat/g/" + groupId, "{\"cid\":\"hook-g1\",\"body\":\"Hello hooks\"}");
                String conv = "g:" + groupId;
                await().atMost(Duration.ofSeconds(20)).until(() -> inConversation(deliveredOffline("dave"), conv).size() == 1
                        && inConversation(deliveredOffline("erin"), conv).size() == 1);
                for (String user : List.of("dave", "erin")) {
                    JsonNode data = inConversation(deliveredOffline(user), conv).get(0).json().get("data");
                    assertThat(data.get("from").asText()).isEqualTo("carol");
                    assertThat(data.get("preview").asText()).isEqualTo("Hello hooks");
                }
                // one batch made all of the message's deliveries: none for the online member or the sender
                String inGroup = "\"conv\":\"" + conv + "\"";
                assertThat(queued(outbox, "message.offline", inGroup)).isEqualTo(2);
                assertThat(frank.mqtt.isConnected()).isTrue();
            }
        }
    }

    /** Connects {@code user}'s desktop once {@code watcher}'s own presence shows two devices. */
    private static StackClient.Device connectWhenPresenceShows(StackClient.Device watcher, String user) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.presence.stream()
                .anyMatch(p -> p.get("devices").size() == 2));
        return client.device(user, PASSWORD, "desktop");
    }

    private static List<Received> received() {
        return received;
    }

    private static List<Received> ofUser(List<Received> all, String event, String user) {
        return all.stream().filter(r -> event.equals(r.event())).filter(r -> {
            try {
                return user.equals(r.json().get("data").get("user").asText());
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    /** Outbox documents of the event whose body contains {@code part}. */
    private static long queued(MongoCollection<Document> outbox, String event, String part) {
        List<Document> docs = new ArrayList<>();
        outbox.find(Filters.eq(StoreSchema.WebhookDelivery.EVENT, event)).into(docs);
        return docs.stream().filter(d -> d.getString(StoreSchema.WebhookDelivery.BODY).contains(part)).count();
    }

    @Test
    void anInvalidWebhookSettingStopsStartUpNamingTheVariable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Map<String, String> env = TestEnvironment.freshStack(dir.resolve("data"));
        env.put("MQCHAT_WEBHOOKS_BACKOFFMAX", "1ms");
        StandaloneSettings settings = StandaloneSettings.fromEnvironment(env);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> EmbeddedStack.start(settings, env).close());
        assertThat(thrown).isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).contains("MQCHAT_WEBHOOKS_BACKOFFMAX");
    }

    @Test
    void aRestartBetweenAFailedAttemptAndTheRetryLosesNothing() throws Exception {
        failAll = true;
        try {
            try (StackClient.Device alice = client.device("alice", PASSWORD, "tablet")) {
                alice.publishAccepted("chat/u/erin", "{\"cid\":\"hook-r1\",\"body\":\"before the restart\"}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(r -> r.answered() == 500
                    && new String(r.body(), StandardCharsets.UTF_8).contains("before the restart")));
            String deliveryId = received.stream().filter(r -> new String(r.body(), StandardCharsets.UTF_8)
                    .contains("before the restart")).findFirst().orElseThrow().delivery();

            STACK.restart();
            int failedBefore = attempts(deliveryId).size();
            failAll = false;
            await().atMost(Duration.ofSeconds(30)).until(() -> attempts(deliveryId).stream().anyMatch(r -> r.answered() == 204));
            List<Received> tries = attempts(deliveryId);
            assertThat(tries.subList(0, failedBefore)).extracting(Received::answered).containsOnly(500);
            Received delivered = tries.stream().filter(r -> r.answered() == 204).findFirst().orElseThrow();
            assertThat(WebhookSignature.verify(secret, delivered.body(), delivered.signature())).isTrue();
            assertThat(delivered.json().get("data").get("user").asText()).isEqualTo("erin");
        } finally {
            failAll = false;
        }
        // and the stack works on: a new message after the restart is delivered too
        try (StackClient.Device alice = client.device("alice", PASSWORD, "tablet")) {
            alice.publishAccepted("chat/u/erin", "{\"cid\":\"hook-r2\",\"body\":\"after the restart\"}");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(r -> r.answered() == 204
                && new String(r.body(), StandardCharsets.UTF_8).contains("after the restart")));
        assertThat(client.admin("hookroot", PASSWORD).call("GET", "/webhooks/" + endpointId, null).statusCode()).isEqualTo(200);
    }
}
