package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** REST calls and Paho MQTT 5 devices against a running embedded stack, as a real client makes them. */
final class StackClient {

    /** The cid prefix of messages sent only to see that delivery works. */
    static final String PROBE = "probe-";

    private final StandaloneSettings settings;
    private final HttpClient http = HttpClient.newHttpClient();

    StackClient(StandaloneSettings settings) {
        this.settings = settings;
    }

    HttpResponse<String> api(String method, String path, String json, String token) throws IOException, InterruptedException {
        return send(settings.apiPort(), method, path, json, token);
    }

    HttpResponse<String> history(String method, String path, String json, String token)
            throws IOException, InterruptedException {
        return send(settings.historyPort(), method, path, json, token);
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

    /** Logs the device in and returns its access token. */
    String login(String user, String password, String device) throws Exception {
        HttpResponse<String> r = api("POST", "/api/v1/auth/login",
                "{\"userId\":\"" + user + "\",\"password\":\"" + password + "\",\"deviceType\":\"" + device + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body()).get("token").asText();
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

    /** A connected MQTT 5 device: everything that arrives (any topic) is parsed into {@link #arrivals}. */
    final class Device implements AutoCloseable {
        final String clientId;
        final MqttAsyncClient mqtt;
        final List<JsonNode> arrivals = new CopyOnWriteArrayList<>();

        Device(String user, String device, String token, String... filters) throws Exception {
            this.clientId = user + ":" + device;
            mqtt = new MqttAsyncClient("tcp://127.0.0.1:" + settings.mqttPort(), clientId, new MemoryPersistence());
            mqtt.setCallback(new MqttCallback() {
                public void disconnected(MqttDisconnectResponse r) {
                }

                public void mqttErrorOccurred(MqttException e) {
                }

                public void messageArrived(String topic, MqttMessage m) throws Exception {
                    arrivals.add(Json.MAPPER.readTree(m.getPayload()));
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
            mqtt.connect(options).waitForCompletion(10_000);
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
}
