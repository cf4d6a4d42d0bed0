package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.embedded.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The one-process stack as a user meets it: register and log in over REST, chat over MQTT, read history
 * over REST — and everything is still there after a restart on the same data folder.
 */
class StandaloneEndToEndTest {

    private EmbeddedStack stack;

    @TempDir
    Path dataDir;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private Map<String, String> env() {
        return TestEnvironment.freshStack(dataDir);
    }

    private StandaloneSettings startStack(Map<String, String> env) {
        StandaloneSettings settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        return settings;
    }

    private static JsonNode history(StackClient client, String token) throws Exception {
        HttpResponse<String> response = client.history("GET", "/api/v1/conversations/d:alice:bob/messages?limit=50",
                null, token);
        assertThat(response.statusCode()).isEqualTo(200);
        return StackClient.json(response);
    }

    private static String login(StackClient client, String user, String password, String device) throws Exception {
        HttpResponse<String> response = client.loginResponse(user, password, device);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = StackClient.json(response);
        assertThat(body.get("clientId").asText()).isEqualTo(user + ":" + device);
        return body.get("token").asText();
    }

    private static void send(StackClient.Device from, String peer, String cid, String text) throws Exception {
        from.publishAccepted("chat/u/" + peer, "{\"cid\":\"" + cid + "\",\"body\":\"" + text + "\"}");
    }

    @Test
    void registerLoginChatReadHistoryAndKeepItAllAcrossARestart() throws Exception {
        Map<String, String> env = env();
        StackClient client = new StackClient(startStack(env));
        client.register("alice", "wonderland-42");
        client.register("bob", "builder-4242");
        String aliceToken = login(client, "alice", "wonderland-42", "phone");
        String bobToken = login(client, "bob", "builder-4242", "desktop");

        StackClient.Device alice = client.new Device("alice", "phone", aliceToken, "chat/u/alice");
        StackClient.Device bob = client.new Device("bob", "desktop", bobToken, "chat/u/bob");
        for (int i = 1; i <= 3; i++) {
            send(alice, "bob", "c" + i, "hello " + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bob.arrivals.size() == 3);
        assertThat(bob.arrivals).extracting(n -> n.get("seq").asLong()).containsExactly(1L, 2L, 3L);
        JsonNode page = history(client, bobToken);
        assertThat(page.get("messages")).extracting(n -> n.get("body").asText())
                .containsExactly("hello 1", "hello 2", "hello 3");
        alice.close();
        bob.close();
        stack.close();
        stack = null;

        // same data folder, same secret (kept under it): accounts, tokens and messages survive
        StackClient again = new StackClient(startStack(env));
        JsonNode after = history(again, bobToken);
        assertThat(after.get("messages")).hasSize(3);
        StackClient.Device alice2 = again.new Device("alice", "phone", login(again, "alice", "wonderland-42", "phone"),
                "chat/u/alice");
        StackClient.Device bob2 = again.new Device("bob", "desktop", bobToken, "chat/u/bob");
        send(alice2, "bob", "c4", "after restart");
        await().atMost(Duration.ofSeconds(10)).until(() -> bob2.arrivals.size() == 1);
        assertThat(bob2.arrivals.get(0).get("seq").asLong()).isEqualTo(4);
        alice2.close();
        bob2.close();
    }

    @Test
    void aStackWhoseStoresAreUnreachableDoesNotStartAnOpenBroker() throws Exception {
        Map<String, String> env = env();
        env.put("MQCHAT_REDIS_ADDRESS", "redis://127.0.0.1:" + FreePorts.next()); // nothing listens there
        assertThatThrownBy(() -> startStack(env)).hasMessageContaining("Redis");
        int mqttPort = Integer.parseInt(env.get("MQCHAT_MQTT_PORT"));
        assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", mqttPort).close())
                .isInstanceOf(java.net.ConnectException.class);
        stack = null;
    }

    @Test
    void invalidSettingsStopStartupWithAMessageSayingWhatToFix() {
        Map<String, String> env = env();
        env.put("MQCHAT_MQTT_PORT", "99999");
        env.put("MQCHAT_JWT_SECRET", "short");
        env.put("MQCHAT_LOG_FORMAT", "xml");
        env.put("MQCHAT_EMBEDDED_FSYNC", "yes");
        assertThatThrownBy(() -> StandaloneSettings.fromEnvironment(env))
                .hasMessageContaining("MQCHAT_MQTT_PORT")
                .hasMessageContaining("MQCHAT_JWT_SECRET")
                .hasMessageContaining("MQCHAT_LOG_FORMAT")
                .hasMessageContaining("MQCHAT_EMBEDDED_FSYNC");
    }
}
