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
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The one-process stack against a hostile machine: other local users, local processes, a taken port. */
class StandaloneOperationsTest {

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

    /** A start with {@code setting} on a port another process holds: the port, the settings, what was thrown. */
    private record TakenPortStart(String setting, int port, StandaloneSettings settings, Throwable thrown) {

        /** The start failed with a message naming what could not listen and the setting to change. */
        void assertFailedNaming(String what) {
            assertThat(thrown).isInstanceOf(EmbeddedStack.StartFailedException.class).hasMessageContaining(what)
                    .hasMessageContaining("set " + setting + " to a free port");
        }
    }

    private static void assertNothingListensOn(int port) {
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
    }

    private TakenPortStart startOnTakenPort(String setting) throws Exception {
        Map<String, String> env = TestEnvironment.freshStack(temp.resolve("data"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            env.put(setting, String.valueOf(taken.getLocalPort()));
            StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
            Throwable thrown = catchThrowable(() -> stack = EmbeddedStack.start(s, env));
            return new TakenPortStart(setting, taken.getLocalPort(), s, thrown);
        }
    }

    @Test
    void dataIsOwnerOnlyRedisWantsItsPasswordAndTheStackReportsTheBrokerHealthy() throws Exception {
        Path data = temp.resolve("data");
        Map<String, String> env = TestEnvironment.freshStack(data);
        StandaloneSettings s = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(s, env);

        // the stack works through the password-protected Redis: a login is recorded there, the broker checks it
        StackClient client = new StackClient(s);
        client.register("alice", "wonderland-42");
        client.login("alice", "wonderland-42", "phone");
        HttpResponse<String> health = client.api("GET", "/actuator/health", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        // health shows no components publicly; the broker's is one of them, UP while MQTT accepts connections
        var broker = (org.springframework.boot.health.contributor.HealthIndicator) stack.chatApiContext()
                .getBean(org.springframework.boot.health.registry.HealthContributorRegistry.class).getContributor("broker");
        assertThat(broker).isInstanceOf(BrokerHealthIndicator.class);
        assertThat(broker.health(true).getStatus().getCode()).isEqualTo("UP");

        // the broker's meters are exported once: on chat-api, not on history-service as well
        HttpResponse<String> apiMetrics = client.api("GET", "/actuator/prometheus", null, null);
        assertThat(apiMetrics.statusCode()).isEqualTo(200);
        assertThat(apiMetrics.body()).contains("mqchat_summaries_failed_total");
        HttpResponse<String> historyMetrics = client.history("GET", "/actuator/prometheus", null, null);
        assertThat(historyMetrics.statusCode()).isEqualTo(200);
        assertThat(historyMetrics.body()).contains("application=\"history-service\"")
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
        TakenPortStart start = startOnTakenPort("MQCHAT_MQTT_PORT");
        start.assertFailedNaming("MQTT on 127.0.0.1:" + start.port());
        // nothing of the stack is left running
        assertNothingListensOn(start.settings().apiPort());
        assertNothingListensOn(start.settings().websocketPort());
    }

    @Test
    void aTakenWebSocketPortStopsTheStackNamingItsSetting() throws Exception {
        TakenPortStart start = startOnTakenPort("MQCHAT_WS_PORT");
        start.assertFailedNaming("MQTT over WebSocket on 127.0.0.1:" + start.port());
        assertNothingListensOn(start.settings().mqttPort());
    }

    @Test
    void aTakenApiPortStopsTheStackNamingItsSetting() throws Exception {
        TakenPortStart start = startOnTakenPort("MQCHAT_API_PORT");
        start.assertFailedNaming("port " + start.port() + " is in use");
    }

    @Test
    void theBrokerIsDownUntilItHasStarted() {
        assertThat(new BrokerHealthIndicator().health(true).getStatus().getCode()).isEqualTo("DOWN");
    }
}
