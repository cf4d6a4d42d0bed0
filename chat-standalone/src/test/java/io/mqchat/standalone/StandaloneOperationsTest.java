package io.mqchat.standalone;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one-process stack against a hostile machine: other local users, local processes, a taken port. */
class StandaloneOperationsTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedStack stack;

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private HttpResponse<String> post(int port, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    @Test
    void dataIsOwnerOnlyRedisWantsItsPasswordAndTheStackReportsTheBrokerHealthy() throws Exception {
        Path data = temp.resolve("data");
        Map<String, String> env = TestEnvironment.freshStack(data);
        StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(s, env);

        // the stack works through the password-protected Redis: a login is recorded there, the broker checks it
        assertThat(post(s.apiPort(), "/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"wonderland-42\"}")
                .statusCode()).isEqualTo(201);
        assertThat(post(s.apiPort(), "/api/v1/auth/login",
                "{\"userId\":\"alice\",\"password\":\"wonderland-42\",\"deviceType\":\"phone\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + s.apiPort() + "/actuator/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        // health shows no components publicly; the broker's is one of them, UP while MQTT accepts connections
        var broker = (org.springframework.boot.health.contributor.HealthIndicator) stack.chatApiContext()
                .getBean(org.springframework.boot.health.registry.HealthContributorRegistry.class).getContributor("broker");
        assertThat(broker).isInstanceOf(BrokerHealthIndicator.class);
        assertThat(broker.health(true).getStatus().getCode()).isEqualTo("UP");

        // the broker's meters are exported once: on chat-api, not on history-service as well
        assertThat(get(s.apiPort(), "/actuator/prometheus")).contains("mqchat_summaries_failed_total");
        assertThat(get(s.historyPort(), "/actuator/prometheus")).contains("application=\"history-service\"")
                .doesNotContain("mqchat_summaries_failed");

        // a local process without the password gets nothing from Redis
        int redisPort = URI.create(stack.redisAddress()).getPort();
        try (Socket socket = new Socket("127.0.0.1", redisPort)) {
            socket.getOutputStream().write("PUBLISH mqchat:bus forged\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(reply).startsWith("-NOAUTH");
        }
        String password = Files.readString(data.resolve("redis").resolve("password")).strip();
        assertThat(stack.redisAddress()).isEqualTo("redis://:" + password + "@127.0.0.1:" + redisPort);

        assertThat(permissions(data)).isEqualTo("rwx------");
        assertThat(permissions(data.resolve("jwt-secret"))).isEqualTo("rw-------");
        assertThat(permissions(data.resolve("redis"))).isEqualTo("rwx------");
        assertThat(permissions(data.resolve("redis").resolve("password"))).isEqualTo("rw-------");
        assertThat(permissions(data.resolve("mongo"))).isEqualTo("rwx------");
        assertThat(permissions(data.resolve("mongo").resolve("mqchat.mv"))).isEqualTo("rw-------");
        assertThat(permissions(data.resolve("hivemq"))).isEqualTo("rwx------");
        assertThat(permissions(data.resolve("hivemq").resolve("conf").resolve("config.xml"))).isEqualTo("rw-------");

        stack.close();
        stack = null;
        assertThat(broker.health(true).getStatus().getCode()).as("no MQTT listener any more").isEqualTo("DOWN");
    }

    @Test
    void aTakenMqttPortStopsTheStackNamingThePortAndTheSetting() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(temp.resolve("data"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            env.put("MQCHAT_MQTT_PORT", String.valueOf(taken.getLocalPort()));
            StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
            assertThatThrownBy(() -> stack = EmbeddedStack.start(s, env))
                    .isInstanceOf(EmbeddedStack.StartFailedException.class)
                    .hasMessageContaining("MQTT on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("set MQCHAT_MQTT_PORT to a free port");
            // nothing of the stack is left running
            assertThatThrownBy(() -> new Socket("127.0.0.1", s.apiPort()).close()).isInstanceOf(java.net.ConnectException.class);
            assertThatThrownBy(() -> new Socket("127.0.0.1", s.websocketPort()).close()).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aTakenWebSocketPortStopsTheStackNamingItsSetting() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(temp.resolve("data"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            env.put("MQCHAT_WS_PORT", String.valueOf(taken.getLocalPort()));
            StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
            assertThatThrownBy(() -> stack = EmbeddedStack.start(s, env))
                    .isInstanceOf(EmbeddedStack.StartFailedException.class)
                    .hasMessageContaining("MQTT over WebSocket on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("set MQCHAT_WS_PORT to a free port");
            assertThatThrownBy(() -> new Socket("127.0.0.1", s.mqttPort()).close()).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aTakenApiPortStopsTheStackNamingItsSetting() throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(temp.resolve("data"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            env.put("MQCHAT_API_PORT", String.valueOf(taken.getLocalPort()));
            StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
            assertThatThrownBy(() -> stack = EmbeddedStack.start(s, env))
                    .isInstanceOf(EmbeddedStack.StartFailedException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " is in use")
                    .hasMessageContaining("set MQCHAT_API_PORT to a free port");
        }
    }

    @Test
    void theBrokerIsDownUntilItHasStarted() {
        assertThat(new BrokerHealthIndicator().health(true).getStatus().getCode()).isEqualTo("DOWN");
    }
}
