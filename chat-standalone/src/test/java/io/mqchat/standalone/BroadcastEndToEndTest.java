package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operators' broadcasts against the real one-process stack with real Paho clients: stored once from the
 * reserved user {@code system}, delivered live to every online device of the audience (a 3.1.1 client that
 * subscribes to nothing but its inbox included), and found by sync, history and the conversation list by
 * those it is for — and by nobody else.
 */
class BroadcastEndToEndTest {

    private static final String PASSWORD = "secret-pass-1";
    private static final String SYSTEM = "s:all";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().with("MQCHAT_ADMINS", "boss,flood")
            // room for the probes; the limit itself is tried with its burst below
            .with("MQCHAT_RATELIMIT_BROADCAST", "600/h,burst=40")
            .users(PASSWORD, "boss", "flood", "amy", "bob", "cyd", "dee");
    private static final StackClient client = STACK.client();
    private static final StackClient.Admin boss = client.admin("boss", PASSWORD);

    private static HttpResponse<String> broadcast(String json) throws Exception {
        return boss.call("POST", "/broadcasts", json);
    }

    private static JsonNode sent(String json) throws Exception {
        HttpResponse<String> r = broadcast(json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return StackClient.json(r);
    }

    private static boolean has(List<JsonNode> arrivals, String id) {
        return arrivals.stream().anyMatch(n -> id.equals(n.path("id").asText()));
    }

    /** Whether the recall event of message {@code id} arrived. */
    private static boolean removal(List<JsonNode> arrivals, String id) {
        return arrivals.stream().anyMatch(n -> "recall".equals(n.path("type").asText()) && id.equals(n.path("id").asText()));
    }

    /** A device is counted as connected by the broker node shortly after its CONNECT: probe until all have one. */
    private static void untilSubscribed(List<List<JsonNode>> devices) {
        List<String> probes = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            probes.add(sent("{\"body\":\"probe\",\"to\":\"all\"}").get("id").asText());
            return devices.stream().allMatch(arrivals -> probes.stream().anyMatch(p -> has(arrivals, p)));
        });
    }

    @Test
    void aBroadcastToAllReachesAMinimalClientLiveAndALaterDeviceBySync() throws Exception {
        try (StackClient.Mqtt3Device amy = client.mqtt3Device("amy", PASSWORD, "phone");
             StackClient.Device bo = client.device("bob", PASSWORD, "phone")) {
            untilSubscribed(List.of(amy.arrivals, bo.arrivals));

            JsonNode answer = sent("{\"body\":\"Maintenance tonight at 02:00 UTC\",\"to\":\"all\"}");
            assertThat(answer.get("conv").asText()).isEqualTo(SYSTEM);
            assertThat(answer.get("to").asText()).isEqualTo("all");
            String id = answer.get("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> has(amy.arrivals, id) && has(bo.arrivals, id));
            JsonNode live = amy.arrivals.stream().filter(n -> id.equals(n.path("id").asText())).findFirst().orElseThrow();
            assertThat(live.get("from").asText()).isEqualTo("system");
            assertThat(live.get("conv").asText()).isEqualTo(SYSTEM);
            assertThat(live.get("seq").asLong()).isEqualTo(answer.get("seq").asLong());
            assertThat(live.get("body").asText()).isEqualTo("Maintenance tonight at 02:00 UTC");
            assertThat(live.has("aud")).isFalse();
            assertThat(amy.topics).as("on the inbox, the one topic it subscribed").containsOnly("chat/u/amy");

            // an admin removes it: the removal reaches the same devices, and no preview shows its text any more
            HttpResponse<String> removed = boss.call("POST", "/messages/" + id + "/remove",
                    "{\"reason\":\"sent by mistake\"}");
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> removal(amy.arrivals, id) && removal(bo.arrivals, id));
            String dee = client.login("dee", PASSWORD, "tablet");
            JsonNode deeList = StackClient.json(client.history("GET", "/api/v1/conversations", null, dee));
            assertThat(deeList.toString()).doesNotContain("Maintenance tonight");
            JsonNode page = StackClient.json(client.history("GET", "/api/v1/conversations/" + SYSTEM
                    + "/messages?limit=100", null, dee));
            assertThat(page.get("messages")).filteredOn(m -> m.get("id").asText().equals(id))
                    .singleElement().satisfies(m -> assertThat(m.get("type").asText()).isEqualTo("recalled"));
            sent("{\"body\":\"Maintenance tonight at 02:00 UTC\",\"to\":\"all\"}");

            // clients cannot write to the system topic
            assertThat(StackClient.pubackCode(bo.publish("chat/sys/broadcast", "{\"cid\":\"fake\",\"body\":\"forged\"}")))
                    .isGreaterThanOrEqualTo(0x80);
        }

        // cy had no device online: a new one finds it by sync, history and the conversation list, unread
        String cy = client.login("cyd", PASSWORD, "web");
        JsonNode sync = StackClient.json(client.history("GET", "/api/v1/sync", null, cy));
        List<JsonNode> fromSystem = new ArrayList<>();
        sync.get("messages").forEach(m -> {
            if (m.get("conv").asText().equals(SYSTEM)) {
                fromSystem.add(m);
            }
        });
        assertThat(fromSystem).extracting(m -> m.get("body").asText()).contains("Maintenance tonight at 02:00 UTC");
        assertThat(fromSystem).allSatisfy(m -> assertThat(m.get("from").asText()).isEqualTo("system"));
        long top = fromSystem.get(fromSystem.size() - 1).get("seq").asLong();
        assertThat(sync.get("complete").get(SYSTEM).asLong()).isEqualTo(top);

        HttpResponse<String> history = client.history("GET", "/api/v1/conversations/" + SYSTEM + "/messages", null, cy);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(StackClient.json(history).get("messages").toString()).contains("Maintenance tonight");

        JsonNode list = StackClient.json(client.history("GET", "/api/v1/conversations", null, cy));
        JsonNode entry = list.get("conversations").get(0);
        assertThat(entry.get("conv").asText()).isEqualTo(SYSTEM);
        assertThat(entry.get("type").asText()).isEqualTo("system");
        assertThat(entry.get("unread").asLong()).as("the removed one is not unread")
                .isEqualTo(fromSystem.stream().filter(m -> !m.get("type").asText().equals("recalled")).count());
        assertThat(entry.get("last").get("text").asText()).isEqualTo("Maintenance tonight at 02:00 UTC");
        HttpResponse<String> read = client.history("POST", "/api/v1/conversations/" + SYSTEM + "/read",
                "{\"seq\":" + top + "}", cy);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(StackClient.json(read).get("unread").asLong()).isZero();

        // nobody but the server recalls a broadcast
        HttpResponse<String> recall = client.history("POST", "/api/v1/conversations/" + SYSTEM + "/messages/"
                + fromSystem.get(0).get("id").asText() + "/recall", null, cy);
        assertThat(recall.statusCode()).isEqualTo(403);
    }

    @Test
    void aBroadcastToListedUsersReachesThemAndNobodyElse() throws Exception {
        String deeToken = client.login("dee", PASSWORD, "web");
        try (StackClient.Device amy = client.device("amy", PASSWORD, "desktop");
             StackClient.Device dee = client.new Device("dee", "web", deeToken, "chat/u/dee")) {
            untilSubscribed(List.of(amy.arrivals, dee.arrivals));
            JsonNode answer = sent("{\"body\":\"Your account needs attention\",\"to\":[\"amy\",\"amy\"]}");
            assertThat(answer.get("to").asText()).isEqualTo("users");
            assertThat(answer.get("users").asInt()).as("listed twice, counted once").isEqualTo(1);
            String listed = answer.get("id").asText();
            String after = sent("{\"body\":\"for everyone after it\",\"to\":\"all\"}").get("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> has(amy.arrivals, listed) && has(dee.arrivals, after));
            assertThat(has(dee.arrivals, listed)).as("dee got the later broadcast but never the listed one").isFalse();
        }
        JsonNode deeSync = StackClient.json(client.history("GET", "/api/v1/sync", null, deeToken));
        assertThat(deeSync.get("messages").toString()).doesNotContain("Your account needs attention")
                .contains("for everyone after it");
        assertThat(StackClient.json(client.history("GET", "/api/v1/conversations/" + SYSTEM + "/messages?limit=100",
                null, deeToken)).get("messages").toString()).doesNotContain("Your account needs attention");
        String amyWeb = client.login("amy", PASSWORD, "web");
        assertThat(StackClient.json(client.history("GET", "/api/v1/sync", null, amyWeb)).get("messages").toString())
                .contains("Your account needs attention");
        assertThat(StackClient.json(client.history("GET", "/api/v1/conversations/" + SYSTEM + "/messages?limit=100",
                null, amyWeb)).get("messages").toString()).contains("Your account needs attention");
    }

    @Test
    void aBroadcastToAGroupLandsInItsConversationForItsMembers() throws Exception {
        String amy = client.login("amy", PASSWORD, "tablet");
        HttpResponse<String> created = client.api("POST", "/api/v1/groups", "{\"name\":\"Players\",\"members\":[\"bob\"]}", amy);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String groupId = StackClient.json(created).get("groupId").asText();
        String conv = "g:" + groupId;
        try (StackClient.Device bo = client.device("bob", PASSWORD, "tablet")) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                bo.publish("chat/g/" + groupId, "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"p\"}");
                return bo.probed(conv);
            });
            JsonNode answer = sent("{\"body\":\"Server restart in 5 minutes\",\"to\":{\"group\":\"" + groupId + "\"}}");
            assertThat(answer.get("conv").asText()).isEqualTo(conv);
            assertThat(answer.get("groupId").asText()).isEqualTo(groupId);
            await().atMost(Duration.ofSeconds(10)).until(() -> bo.in(conv).stream()
                    .anyMatch(n -> n.get("id").asText().equals(answer.get("id").asText())));
            JsonNode live = bo.in(conv).stream().filter(n -> n.get("id").asText().equals(answer.get("id").asText()))
                    .findFirst().orElseThrow();
            assertThat(live.get("from").asText()).isEqualTo("system");
        }
        JsonNode history = StackClient.json(client.history("GET", "/api/v1/conversations/" + conv + "/messages", null, amy));
        assertThat(history.get("messages")).extracting(m -> m.get("body").asText()).contains("Server restart in 5 minutes");
        assertThat(client.history("GET", "/api/v1/conversations/" + conv + "/messages", null,
                client.login("dee", PASSWORD, "phone")).statusCode()).as("not a member").isEqualTo(403);
    }

    @Test
    void hostileBroadcastsAreRefusedWithProblemsAndNothingIsSent() throws Exception {
        String cy = client.login("cyd", PASSWORD, "phone");
        HttpResponse<String> notAdmin = client.api("POST", "/api/v1/admin/broadcasts", "{\"body\":\"hi\",\"to\":\"all\"}", cy);
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        String tooMany = IntStream.range(0, 10_001).mapToObj(i -> "\"u" + i + "xx\"").collect(Collectors.joining(",", "[", "]"));
        Map<String, Integer> bodies = new java.util.LinkedHashMap<>();
        bodies.put("{\"to\":\"all\"}", 400);
        bodies.put("{\"body\":{\"text\":\"x\"},\"to\":\"all\"}", 400);
        bodies.put("{\"body\":\"   \",\"to\":\"all\"}", 400);
        bodies.put("{\"body\":\"" + "x".repeat(4_001) + "\",\"to\":\"all\"}", 400);
        bodies.put("{\"body\":\"hi\"}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":\"everyone\"}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":[]}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":[\"a/b\"]}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":[{\"$gt\":\"\"}]}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":" + tooMany + "}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":[\"amy\",\"ghost1\"]}", 422);
        bodies.put("{\"body\":\"hi\",\"to\":{\"group\":\"no-such-group\"}}", 404);
        bodies.put("{\"body\":\"hi\",\"to\":{\"group\":{\"$ne\":null}}}", 400);
        bodies.put("{\"body\":\"hi\",\"to\":{\"group\":\"x\",\"extra\":1}}", 400);
        bodies.put("{\"body\":\"hi\",", 400);
        bodies.put("[1,2]", 400);
        long before = StackClient.json(boss.call("GET", "/stats", null)).get("messages").get("total").asLong();
        for (Map.Entry<String, Integer> b : bodies.entrySet()) {
            HttpResponse<String> r = broadcast(b.getKey());
            String shown = b.getKey().length() > 80 ? b.getKey().substring(0, 80) : b.getKey();
            assertThat(r.statusCode()).as(shown + " -> " + r.body()).isEqualTo(b.getValue());
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(shown).startsWith("application/problem+json");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
        }
        assertThat(StackClient.json(broadcast("{\"body\":\"hi\",\"to\":[\"amy\",\"ghost1\"]}")).get("detail").asText())
                .contains("ghost1").contains("nothing was sent");
        assertThat(StackClient.json(boss.call("GET", "/stats", null)).get("messages").get("total")
                .asLong()).as("nothing stored").isEqualTo(before);

        // the sender id is the server's: nobody can register it, in any case
        for (String reserved : List.of("system", "SYSTEM", "System")) {
            HttpResponse<String> r = client.api("POST", "/api/v1/auth/register",
                    "{\"userId\":\"" + reserved + "\",\"password\":\"" + PASSWORD + "\"}", null);
            assertThat(r.statusCode()).as(reserved).isEqualTo(409);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void broadcastsAreLimitedPerAdminAndAudited() throws Exception {
        String flood = client.login("flood", PASSWORD, "web");
        HttpResponse<String> last = null;
        int sent = 0;
        for (int i = 0; i < 60; i++) {
            last = client.api("POST", "/api/v1/admin/broadcasts", "{\"body\":\"flood " + i + "\",\"to\":[\"cyd\"]}", flood);
            if (last.statusCode() != 201) {
                break;
            }
            sent++;
        }
        assertThat(sent).as("the configured burst").isEqualTo(40);
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(StackClient.json(last).get("code").asText()).isEqualTo("broadcast_rate_limited");
        assertThat(broadcast("{\"body\":\"another admin is not limited by flood\",\"to\":[\"cyd\"]}").statusCode())
                .isEqualTo(201);

        // the server's broadcasts are listed like a user's messages, under 'system'
        JsonNode bySystem = StackClient.json(boss.call("GET", "/users/system/messages?limit=5", null));
        assertThat(bySystem.get("messages")).hasSize(5)
                .allSatisfy(m -> assertThat(m.get("from").asText()).isEqualTo("system"));

        JsonNode audit = StackClient.json(boss.call("GET", "/audit?admin=flood", null));
        assertThat(audit.get("entries")).hasSize(40).allSatisfy(e -> {
            assertThat(e.get("action").asText()).isEqualTo("broadcast");
            assertThat(e.get("target").asText()).isEqualTo("1 users");
        });
    }
}
