package io.mqchat.broker;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Proof that a publish went through {@link ChatPublishInterceptor}. Registered on every connection right after
 * it, so HiveMQ calls it only for publishes the chat interceptor let through (a prevented publish skips the
 * interceptors after it); it leaves a receipt on the connection, and {@link TopicAuthorizer} lets a publish go
 * only against a receipt. Anything HiveMQ authorizes without running the interceptors (a Last Will, a publish
 * of a connection without interceptors) therefore has none and is refused.
 *
 * <p>It also clears the retain flag: no client publish may leave a retained message.
 *
 * <p>A receipt names the packet id, topic and final payload, so it cannot vouch for another publish. It lives
 * in the connection's attribute store, so it dies with the connection. All extension work of one client runs
 * in one queue, one task at a time, so taking and redeeming need no further locking.
 */
public final class PublishReceipts implements PublishInboundInterceptor {

    private static final String KEY_PREFIX = "mqchat.receipt:";

    @Override
    public void onInboundPublish(@NotNull PublishInboundInput input, @NotNull PublishInboundOutput output) {
        output.getPublishPacket().setRetain(false);
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
        String key = key(output.getPublishPacket());
        // QoS 0 publishes all have packet id 0: identical ones in flight at once share a key, so count them
        attributes.put(key, count(count(attributes.get(key)) + 1));
    }

    /** Takes the receipt of this publish, if there is one. */
    boolean redeem(@NotNull PublishAuthorizerInput input) {
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
        String key = key(input.getPublishPacket());
        int held = count(attributes.get(key));
        if (held <= 0) {
            return false;
        }
        if (held == 1) {
            attributes.remove(key);
        } else {
            attributes.put(key, count(held - 1));
        }
        return true;
    }

    private static String key(PublishPacket packet) {
        int payloadHash = packet.getPayload().map(ByteBuffer::hashCode).orElse(0);
        return KEY_PREFIX + packet.getPacketId() + ':' + Integer.toHexString(payloadHash) + ':' + packet.getTopic();
    }

    private static int count(Optional<ByteBuffer> stored) {
        return stored.filter(b -> b.remaining() >= Integer.BYTES).map(b -> b.getInt(b.position())).orElse(0);
    }

    private static ByteBuffer count(int n) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(0, n);
    }
}
