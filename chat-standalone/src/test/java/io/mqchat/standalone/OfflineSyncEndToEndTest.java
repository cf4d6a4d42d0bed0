package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Roaming on the whole stack: bob is offline while alice sends 2,000 messages (more than the broker's
 * 1,000-message offline queue); his desktop gets all of them by sync over MQTT, a brand-new tablet by sync
 * over REST, each exactly once and in seq order; reading on the tablet clears unread for bob everywhere.
 */
class OfflineSyncEndToEndTest {

    private static final int COUNT = 2_000;
    private static final String CONV = "d:alice:bob";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users("wonderland-42", "alice").users("builder-4242", "bob");
    private static final StackClient client = STACK.client();

    private static JsonNode conversations(String token) throws Exception {
        HttpResponse<String> r = client.history("GET", "/api/v1/conversations", null, token);
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body()).get("conversations");
    }

    @Test
    void offlineDesktopAndNewTabletGetAll2000ExactlyOnceAndReadingClearsUnreadEverywhere() throws Exception {
        String aliceToken = client.login("alice", "wonderland-42", "phone");
        String bobDesktopToken = client.login("bob", "builder-4242", "desktop");

        // bob is offline; alice sends 2,000 messages, up to 50 in flight
        StackClient.Device alicePhone = client.new Device("alice", "phone", aliceToken);
        MqttAsyncClient alice = alicePhone.mqtt;
        Deque<IMqttToken> inFlight = new ArrayDeque<>();
        for (int i = 1; i <= COUNT; i++) {
            MqttMessage m = new MqttMessage(("{\"cid\":\"m-" + i + "\",\"body\":\"message " + i + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            inFlight.add(alice.publish("chat/u/bob", m));
            if (inFlight.size() >= 50) {
                inFlight.poll().waitForCompletion(15_000);
            }
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().waitForCompletion(15_000);
        }
        alice.disconnect().waitForCompletion();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode list = conversations(bobDesktopToken);
            return list.size() == 1 && list.get(0).get("lastSeq").asLong() == COUNT;
        });
        assertThat(conversations(bobDesktopToken).get(0).get("unread").asLong()).isEqualTo(COUNT);

        // the desktop comes back and syncs over MQTT (MQTT 5 response topic), page after page
        StackClient.Device bobDesktop = client.new Device("bob", "desktop", bobDesktopToken, "chat/u/bob",
                "chat/res/bob/desktop");
        List<JsonNode> desktop = bobDesktop.arrivals;
        MqttAsyncClient bob = bobDesktop.mqtt;
        List<JsonNode> synced = new ArrayList<>();
        String cursor = null;
        for (int page = 1; ; page++) {
            MqttMessage request = new MqttMessage(("{\"op\":\"sync\",\"rid\":\"p" + page + "\",\"limit\":200"
                    + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}").getBytes(StandardCharsets.UTF_8));
            request.setQos(1);
            MqttProperties props = new MqttProperties();
            props.setResponseTopic("chat/res/bob/desktop");
            request.setProperties(props);
            bob.publish("chat/req/bob", request).waitForCompletion(10_000);
            String rid = "p" + page;
            await().atMost(Duration.ofSeconds(20)).until(() -> desktop.stream().anyMatch(n -> rid.equals(n.path("rid").asText())));
            JsonNode answer = desktop.stream().filter(n -> rid.equals(n.path("rid").asText())).findFirst().orElseThrow();
            answer.get("messages").forEach(synced::add);
            cursor = answer.get("cursor").asText();
            if (!answer.get("hasMore").asBoolean()) {
                assertThat(answer.get("complete").get(CONV).asLong()).isEqualTo(COUNT);
                break;
            }
        }
        assertThat(synced).extracting(n -> n.get("seq").asLong())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COUNT).boxed().toList());
        assertThat(synced.stream().map(n -> n.get("id").asText()).distinct().count()).isEqualTo(COUNT);
        assertThat(synced.get(COUNT - 1).get("body").asText()).isEqualTo("message " + COUNT);

        // a brand-new tablet: everything through REST sync, exactly once, in order
        String tabletToken = client.login("bob", "builder-4242", "tablet");
        List<Long> tabletSeqs = new ArrayList<>();
        String restCursor = null;
        while (true) {
            HttpResponse<String> r = client.history("GET", "/api/v1/sync?limit=500"
                    + (restCursor == null ? "" : "&cursor=" + restCursor), null, tabletToken);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode page = Json.MAPPER.readTree(r.body());
            page.get("messages").forEach(n -> tabletSeqs.add(n.get("seq").asLong()));
            restCursor = page.get("cursor").asText();
            if (!page.get("hasMore").asBoolean()) {
                break;
            }
        }
        assertThat(tabletSeqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COUNT).boxed().toList());

        // reading on the tablet clears unread for bob: the desktop's token sees it, alice's sees "read"
        HttpResponse<String> read = client.history("POST", "/api/v1/conversations/" + CONV + "/read",
                "{\"seq\":" + COUNT + "}", tabletToken);
        assertThat(read.statusCode()).isEqualTo(200);
        JsonNode bobView = conversations(bobDesktopToken).get(0);
        assertThat(bobView.get("unread").asLong()).isZero();
        assertThat(bobView.get("readSeq").asLong()).isEqualTo(COUNT);
        assertThat(conversations(aliceToken).get(0).get("peerReadSeq").asLong()).isEqualTo(COUNT);
        // and the desktop, online, gets the read event through the bus
        await().atMost(Duration.ofSeconds(10)).until(() -> desktop.stream()
                .anyMatch(n -> "read".equals(n.path("type").asText()) && n.path("upTo").asLong() == COUNT));
        bob.disconnect().waitForCompletion();
    }
}
