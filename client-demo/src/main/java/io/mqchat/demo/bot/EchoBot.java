package io.mqchat.demo.bot;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.Topics;
import io.mqchat.demo.RestClient;
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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One instance of a bot on a service account: trades the account's client credentials for a token, connects as
 * {@code {serviceId}:{instance}} and takes its share of the account's inbox ({@code $share/{share}/chat/u/{id}}), so
 * that several instances split what people send, each message to one of them. It answers each person's message
 * in the same conversation; the answer's cid is derived from the message id, so an answer sent twice (the instance
 * crashed after storing it and got the message again) is stored once.
 */
public final class EchoBot implements AutoCloseable {

    private final String serviceId;
    private final MqttAsyncClient mqtt;
    private final AtomicLong answered = new AtomicLong();
    private final Consumer<String> log;

    private EchoBot(String serviceId, MqttAsyncClient mqtt, Consumer<String> log) {
        this.serviceId = serviceId;
        this.mqtt = mqtt;
        this.log = log;
    }

    /** Connects one instance and starts answering. */
    public static EchoBot start(URI api, URI broker, String serviceId, String secret, String instance, String share,
                                Consumer<String> log) throws IOException, MqttException {
        String token = new RestClient().serviceToken(api, serviceId, secret).token();
        MqttAsyncClient mqtt = new MqttAsyncClient(broker.toString(), serviceId + ":" + instance, new MemoryPersistence());
        EchoBot bot = new EchoBot(serviceId, mqtt, log);
        mqtt.setCallback(bot.callback());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(serviceId);
        options.setPassword(token.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        mqtt.connect(options).waitForCompletion(15_000);
        IMqttToken sub = mqtt.subscribe(new MqttSubscription(Topics.SHARED_PREFIX + share + "/" + Topics.inbox(serviceId), 1));
        sub.waitForCompletion(15_000);
        if (sub.getReasonCodes()[0] >= 0x80) {
            mqtt.disconnect().waitForCompletion(5_000);
            throw new IOException("the shared subscription was refused (SUBACK " + sub.getReasonCodes()[0] + ")");
        }
        log.accept(serviceId + ":" + instance + " answering on " + Topics.SHARED_PREFIX + share + "/"
                + Topics.inbox(serviceId));
        return bot;
    }

    /** How many messages this instance answered. */
    public long answered() {
        return answered.get();
    }

    private void onMessage(MqttMessage message) throws MqttException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(message.getPayload());
        } catch (IOException e) {
            return;
        }
        if (!node.has("seq")) {
            return; // an event (kick, error), not a message
        }
        ChatMessage m = ChatMessage.fromJson(node);
        if (m.service() || m.from().equals(serviceId) || m.body() == null) {
            return; // other bots (no bot-to-bot loops), and recalled messages
        }
        String text = m.body().isTextual() ? m.body().asText() : m.body().toString();
        String reply = Json.MAPPER.createObjectNode().put("cid", "re-" + m.id()).put("type", "text")
                .put("body", "You said: " + text).toString();
        MqttMessage answer = new MqttMessage(reply.getBytes(StandardCharsets.UTF_8));
        answer.setQos(1);
        // not waited for here (this is Paho's callback thread); a refusal shows in the log
        mqtt.publish(Topics.inbox(m.from()), answer, null, new org.eclipse.paho.mqttv5.client.MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                answered.incrementAndGet();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                log.accept("answer to " + m.from() + " refused: " + e.getMessage());
            }
        });
    }

    private MqttCallback callback() {
        return new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                log.accept(serviceId + " disconnected: " + response.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                onMessage(message);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        };
    }

    @Override
    public void close() throws MqttException {
        if (mqtt.isConnected()) {
            mqtt.disconnect().waitForCompletion(5_000);
        }
        mqtt.close();
    }
}
