package io.mqchat.broker.delivery;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Server-originated publishes: the sender's own copy of a stored message, events (recalls, group changes)
 * and error events for one device; and the hand-over of this node's deliveries to the other broker nodes
 * ({@link Forwarding}). {@link PublishService} bypasses the inbound interceptors, which is right: these are
 * already stored or are not chat messages.
 */
public final class ServerPublisher {

    private static final Logger log = LoggerFactory.getLogger(ServerPublisher.class);

    /** How long a queued signal stays worth delivering. */
    public static final long SIGNAL_EXPIRY_SECONDS = 10;

    private final PublishService publishService;
    private final Forwarding forwarding;

    public ServerPublisher(PublishService publishService) {
        this(publishService, Forwarding.NONE);
    }

    /** @param forwarding where this node's deliveries also go, for devices on other broker nodes */
    public ServerPublisher(PublishService publishService, Forwarding forwarding) {
        this.publishService = publishService;
        this.forwarding = forwarding;
    }

    /**
     * Whether a server publish to {@code topic} may be retained: only presence is. A bus message asking for
     * retain elsewhere (another node, a REST service, or anyone who can write to Redis) is published unretained.
     */
    public static boolean mayRetain(String topic, boolean asked) {
        return asked && topic.startsWith(Topics.PRESENCE_PREFIX);
    }

    /** Where a stored message is delivered: its group's topic, or its recipient's inbox. */
    public static String topicOf(ChatMessage message) {
        return message.conv().isGroup() ? Topics.group(message.conv().first()) : Topics.inbox(message.to());
    }

    /** A QoS 1 publish of UTF-8 JSON, as every server publish is. */
    public static PublishBuilder json(String topic, byte[] payload) {
        return Builders.publish().topic(topic).qos(Qos.AT_LEAST_ONCE).payload(ByteBuffer.wrap(payload))
                .payloadFormatIndicator(PayloadFormatIndicator.UTF_8).contentType("application/json");
    }

    /** A stored message: its JSON with the MQTT 5 user properties {@code id, conv, seq} every delivery carries. */
    public static PublishBuilder storedMessage(String topic, byte[] json, ChatMessage message) {
        return json(topic, json).userProperty("id", message.id()).userProperty("conv", message.conv().toString())
                .userProperty("seq", Long.toString(message.seq()));
    }

    /** The stored message ({@code json} is its envelope) to every device of {@code userId}, on every node. */
    public void deliverCopy(String userId, ChatMessage message, byte[] json) {
        Publish publish = storedMessage(Topics.inbox(userId), json, message).build();
        publishService.publish(publish).exceptionally(e -> {
            // The message is stored; a device that misses this copy recovers it by history/sync.
            log.warn("mqchat: sender copy of {} to {} failed: {}", message.id(), userId, e.toString());
            return null;
        });
        forwarding.forwardStored(Topics.inbox(userId), message);
    }

    /**
     * A stored message: its envelope to the subscribers of {@code topic} on every node, and for a direct message the
     * copy to the sender's devices. Completes when HiveMQ has queued it for every subscriber here (a group's 1,000
     * members take a while), never exceptionally.
     */
    public CompletableFuture<Void> deliverStored(String topic, ChatMessage message, String senderId) {
        byte[] json = message.toJsonBytes();
        CompletableFuture<Void> queued = publishService.publish(storedMessage(topic, json, message).build())
                .exceptionally(e -> {
            log.warn("mqchat: delivery of {} to {} failed: {}", message.id(), topic, e.toString());
            return null;
        });
        forwarding.forwardStored(topic, message);
        senderCopy(senderId, message, json);
        return queued;
    }

    /**
     * The sender's devices learn id and seq of what they sent: a direct message's copy goes to the sender's inbox
     * (a group message reaches them on the group topic; a note to oneself is in the inbox already). A service
     * account gets no copy: its instances share its inbox, where a bot answering what arrives would answer itself;
     * its PUBACK carries id and seq.
     */
    public void senderCopy(String senderId, ChatMessage message, byte[] json) {
        if (!message.conv().isGroup() && !message.to().equals(senderId) && !message.service()) {
            deliverCopy(senderId, message, json);
        }
    }

    /** An event (JSON) to the subscribers of {@code topic} on every node. */
    public void publishEvent(String topic, String event) {
        publishHere(topic, event);
        forwarding.forward(topic, event, false);
    }

    /**
     * A signal (typing, ...) to the subscribers of {@code topic} on every node: QoS 0, and expired after
     * {@link #SIGNAL_EXPIRY_SECONDS} where a queue holds it (a typing notice minutes old is wrong).
     */
    public void publishSignal(String topic, String event) {
        publishService.publish(Builders.publish().topic(topic).qos(Qos.AT_MOST_ONCE)
                .payload(ByteBuffer.wrap(event.getBytes(StandardCharsets.UTF_8)))
                .payloadFormatIndicator(PayloadFormatIndicator.UTF_8).contentType("application/json")
                .messageExpiryInterval(SIGNAL_EXPIRY_SECONDS).build()).exceptionally(e -> {
                    log.debug("mqchat: signal to {} not published: {}", topic, e.toString());
                    return null;
                });
        forwarding.forward(topic, event, false);
    }

    /**
     * An event (JSON) to the subscribers of {@code topic} on this node only: for what every node is told
     * anyway (bus messages).
     */
    public void publishHere(String topic, String event) {
        publishService.publish(json(topic, event.getBytes(StandardCharsets.UTF_8)).build()).exceptionally(e -> {
            // stored or recorded already; only the live notice is lost (history and sync have it)
            log.warn("mqchat: event to {} not published: {}", topic, e.toString());
            return null;
        });
    }

    /** An error event to one device's inbox subscription (for MQTT 3.1.1 clients, which get no reason codes). */
    public void sendError(String clientId, String userId, ServerEvent.Refusal event) {
        Publish publish = Builders.publish()
                .topic(Topics.inbox(userId))
                .qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(event.toJsonBytes()))
                .build();
        publishService.publishToClient(publish, clientId).exceptionally(e -> {
            log.debug("mqchat: error event to {} failed: {}", clientId, e.toString());
            return null;
        });
    }
}
