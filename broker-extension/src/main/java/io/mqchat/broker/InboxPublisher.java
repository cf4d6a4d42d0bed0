package io.mqchat.broker;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ErrorEvent;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Server-originated publishes to inboxes: the sender's own copy of a stored message (to all of the
 * sender's devices) and error events for one device. {@link PublishService} bypasses the inbound
 * interceptors, which is right: these are already stored or are not chat messages.
 */
public final class InboxPublisher {

    private static final Logger log = LoggerFactory.getLogger(InboxPublisher.class);

    private final PublishService publishService;
    private final Forwarding forwarding;

    public InboxPublisher(PublishService publishService) {
        this(publishService, Forwarding.NONE);
    }

    /** @param forwarding where sender copies also go, for devices on other broker nodes */
    public InboxPublisher(PublishService publishService, Forwarding forwarding) {
        this.publishService = publishService;
        this.forwarding = forwarding;
    }

    /** The stored message to every device of {@code userId}. */
    public void deliverCopy(String userId, ChatMessage message) {
        byte[] json = message.toJsonBytes();
        Publish publish = Builders.publish()
                .topic(Topics.inbox(userId))
                .qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(json))
                .payloadFormatIndicator(PayloadFormatIndicator.UTF_8)
                .contentType("application/json")
                .userProperty("id", message.id())
                .userProperty("conv", message.conv())
                .userProperty("seq", Long.toString(message.seq()))
                .build();
        publishService.publish(publish).exceptionally(e -> {
            // The message is stored; a device that misses this copy recovers it by history/sync.
            log.warn("mqchat: sender copy of {} to {} failed: {}", message.id(), userId, e.toString());
            return null;
        });
        forwarding.forward(Topics.inbox(userId), new String(json, java.nio.charset.StandardCharsets.UTF_8), false);
    }

    /** An error event to one device's inbox subscription (for MQTT 3.1.1 clients, which get no reason codes). */
    public void sendError(String clientId, String userId, ErrorEvent event) {
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
