package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** REST calls and Paho MQTT 5 and 3.1.1 devices against a running embedded stack, as a real client makes them. */
final class StackClient {

    /** The cid prefix of messages sent only to see that delivery works. */
    static final String PROBE = "probe-";

    private final Supplier<StandaloneSettings> settings;
    private final HttpClient http = HttpClient.newHttpClient();

    StackClient(StandaloneSettings settings) {
        this(() -> settings);
    }

    /** For a stack that is started later: the ports are read at each call. */
    StackClient(Supplier<StandaloneSettings> settings) {
        this.settings = settings;
    }

    URI apiUri() {
        return URI.create("http://127.0.0.1:" + settings.get().apiPort());
    }

    URI historyUri() {
        return URI.create("http://127.0.0.1:" + settings.get().historyPort());
    }

    URI mqttUri() {
        return URI.create("tcp://127.0.0.1:" + settings.get().mqttPort());
    }

    HttpResponse<String> api(String method, String path, String json, String token) throws IOException, InterruptedException {
        return send(settings.get().apiPort(), method, path, json, token);
    }

    HttpResponse<String> history(String method, String path, String json, String token)
            throws IOException, InterruptedException {
        return send(settings.get().historyPort(), method, path, json, token);
    }

    private HttpResponse<String> send(int port, String method, String path, String json, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void register(String user, String password) throws Exception {
        assertThat(api("POST", "/api/v1/auth/register",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\"}", null).statusCode()).isEqualTo(201);
    }

    /** The login call as it is answered, for logins expected to be refused. */
    HttpResponse<String> loginResponse(String user, String password, String device) throws Exception {
        return api("POST", "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceType\":\"" + device + "\"}", null);
    }

    /** Logs the device in and returns its access token. */
    String login(String user, String password, String device) throws Exception {
        HttpResponse<String> r = loginResponse(user, password, device);
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body()).get("token").asText();
    }

    /** Logs the device in and connects it over MQTT 5, subscribed to the user's inbox. */
    Device device(String user, String password, String type) throws Exception {
        return new Device(user, type, login(user, password, type), "chat/u/" + user);
    }

    /** Logs the device in and connects it over MQTT 3.1.1, subscribed to the user's inbox. */
    Mqtt3Device mqtt3Device(String user, String password, String type) throws Exception {
        return new Mqtt3Device(user, type, login(user, password, type), "chat/u/" + user);
    }

    /** The admin API as one admin calls it; the admin logs in (as a web device) at the first call. */
    Admin admin(String user, String password) {
        return new Admin(user, password);
    }

    /**
     * An MQTT 5 connection with a clean start and no session expiry: it takes over the device's session and
     * ends it, so the broker forgets the device's subscriptions and queue.
     */
    MqttAsyncClient cleanStart(String user, String device, String token) throws MqttException {
        MqttAsyncClient mqtt = new MqttAsyncClient(mqttUri().toString(), user + ":" + device, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        mqtt.connect(options).waitForCompletion(10_000);
        return mqtt;
    }

    /** The reason code of a PUBACK (0x00 stored; 0x80 and above refused). */
    static int pubackCode(IMqttToken token) {
        return ((org.eclipse.paho.mqttv5.common.packet.MqttPubAck) token.getResponse()).getReturnCode();
    }

    /** The reason string of a refusing PUBACK, {@code "code: detail"}. */
    static String pubackReason(IMqttToken token) {
        return token.getResponse().getProperties().getReasonString();
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    /** An admin's calls to {@code /api/v1/admin}. */
    final class Admin {
        private final String user;
        private final String password;
        private volatile String token;

        private Admin(String user, String password) {
            this.user = user;
            this.password = password;
        }

        String token() throws Exception {
            if (token == null) {
                token = login(user, password, "web");
            }
            return token;
        }

        /** {@code path} is below {@code /api/v1/admin}, e.g. {@code /users/eve/ban}. */
        HttpResponse<String> call(String method, String path, String json) throws Exception {
            return api(method, "/api/v1/admin" + path, json, token());
        }
    }

    /**
     * A connected MQTT 5 device: everything that arrives (any topic) is parsed into {@link #arrivals}, what
     * arrives on presence topics ({@code chat/p/...}) into {@link #presence} as well; why it was disconnected
     * into {@link #disconnects}.
     */
    final class Device implements AutoCloseable {
        final String clientId;
        final String token;
        final MqttAsyncClient mqtt;
        final List<JsonNode> arrivals = new CopyOnWriteArrayList<>();
        final List<JsonNode> presence = new CopyOnWriteArrayList<>();
        final List<MqttDisconnectResponse> disconnects = new CopyOnWriteArrayList<>();

        /** Connects and subscribes to the filters; a refused CONNECT is thrown (as Paho's MqttException). */
        Device(String user, String device, String token, String... filters) throws Exception {
            this.clientId = user + ":" + device;
            this.token = token;
            mqtt = new MqttAsyncClient(mqttUri().toString(), clientId, new MemoryPersistence());
            mqtt.setCallback(new MqttCallback() {
                public void disconnected(MqttDisconnectResponse r) {
                    disconnects.add(r);
                }

                public void mqttErrorOccurred(MqttException e) {
                }

                public void messageArrived(String topic, MqttMessage m) throws Exception {
                    JsonNode json = Json.MAPPER.readTree(m.getPayload());
                    arrivals.add(json);
                    if (topic.startsWith("chat/p/")) {
                        presence.add(json);
                    }
                }

                public void deliveryComplete(IMqttToken t) {
                }

                public void connectComplete(boolean reconnect, String uri) {
                }

                public void authPacketArrived(int code, MqttProperties p) {
                }
            });
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(user);
            options.setPassword(token.getBytes(StandardCharsets.UTF_8));
            try {
                mqtt.connect(options).waitForCompletion(10_000);
            } catch (MqttException refused) {
                mqtt.close();
                throw refused;
            }
            for (String f : filters) {
                mqtt.subscribe(new MqttSubscription(f, 1)).waitForCompletion(10_000);
            }
        }

        /** Publishes QoS 1 and waits for the PUBACK; returns the token (a refusal is read from it, not thrown). */
        IMqttToken publish(String topic, String payload) throws MqttException {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken token = mqtt.publish(topic, m);
            try {
                token.waitForCompletion(15_000);
            } catch (MqttException refused) {
                // an error PUBACK: the caller reads the reason code
            }
            return token;
        }

        /** Publishes QoS 1 and asserts that the PUBACK accepts it. */
        void publishAccepted(String topic, String payload) throws MqttException {
            assertThat(pubackCode(publish(topic, payload))).as("PUBACK of " + payload + " on " + topic).isLessThan(0x80);
        }

        /** Subscribes QoS 1 and returns the SUBACK's reason codes (none when it did not come). */
        List<Integer> subscribe(String filter) throws MqttException {
            IMqttToken sub = mqtt.subscribe(new MqttSubscription(filter, 1));
            try {
                sub.waitForCompletion(10_000);
            } catch (MqttException refused) {
                // a refusing SUBACK: the caller reads the reason codes
            }
            int[] codes = sub.getReasonCodes();
            return codes == null ? List.of() : Arrays.stream(codes).boxed().toList();
        }

        /** The stored messages (chat and events, anything with a seq), in arrival order. */
        List<JsonNode> chat() {
            return arrivals.stream().filter(n -> n.has("seq")).toList();
        }

        /** The unstored events of one type ({@code kick}, {@code recall}, ...), in arrival order. */
        List<JsonNode> events(String type) {
            return arrivals.stream().filter(n -> !n.has("seq") && type.equals(n.path("type").asText())).toList();
        }

        /** The answer to the request {@code rid} on {@code chat/req/...}, once it has arrived. */
        JsonNode answer(String rid) {
            await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.stream().anyMatch(n -> rid.equals(n.path("rid").asText())));
            return arrivals.stream().filter(n -> rid.equals(n.path("rid").asText())).findFirst().orElseThrow();
        }

        /** The chat messages (and stored events) of one conversation, in arrival order, except probes. */
        List<JsonNode> in(String conv) {
            return arrivals.stream().filter(n -> n.has("seq") && conv.equals(n.path("conv").asText())
                    && !n.path("cid").asText().startsWith(PROBE)).toList();
        }

        /** Whether a probe message (cid starting with {@value #PROBE}) of the conversation arrived. */
        boolean probed(String conv) {
            return arrivals.stream().anyMatch(n -> conv.equals(n.path("conv").asText())
                    && n.path("cid").asText().startsWith(PROBE));
        }

        @Override
        public void close() throws MqttException {
            if (mqtt.isConnected()) {
                mqtt.disconnect().waitForCompletion(5_000);
            }
            mqtt.close();
        }
    }

    /**
     * A connected MQTT 3.1.1 device: everything that arrives is parsed into {@link #arrivals}, its topic into
     * {@link #topics}. A refused CONNECT is thrown (as Paho 3's MqttException).
     */
    final class Mqtt3Device implements org.eclipse.paho.client.mqttv3.MqttCallback, AutoCloseable {
        final List<JsonNode> arrivals = new CopyOnWriteArrayList<>();
        final List<String> topics = new CopyOnWriteArrayList<>();
        final MqttClient mqtt;

        Mqtt3Device(String user, String device, String token, String... filters)
                throws org.eclipse.paho.client.mqttv3.MqttException {
            mqtt = new MqttClient(mqttUri().toString(), user + ":" + device,
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            mqtt.setCallback(this);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setUserName(user);
            options.setPassword(token.toCharArray());
            try {
                mqtt.connect(options);
            } catch (org.eclipse.paho.client.mqttv3.MqttException refused) {
                mqtt.close();
                throw refused;
            }
            for (String f : filters) {
                mqtt.subscribe(f, 1);
            }
        }

        public void connectionLost(Throwable cause) {
        }

        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) throws Exception {
            topics.add(topic);
            arrivals.add(Json.MAPPER.readTree(message.getPayload()));
        }

        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        @Override
        public void close() throws org.eclipse.paho.client.mqttv3.MqttException {
            if (mqtt.isConnected()) {
                mqtt.disconnect();
            }
            mqtt.close();
        }
    }
}
