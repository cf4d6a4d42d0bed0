package io.mqchat.broker.delivery;

import io.mqchat.broker.cluster.PeerForwarder;

import io.mqchat.common.protocol.ChatMessage;

/**
 * Hands what this broker node delivered to its own clients on to the other nodes, whose clients may be the
 * same users' other devices or the recipients. HiveMQ CE has no cluster; see {@link PeerForwarder}.
 */
public interface Forwarding {

    /** A single node: nothing to forward. */
    Forwarding NONE = new Forwarding() {
        @Override
        public void forward(String topic, String payload, boolean retain) {
        }

        @Override
        public void forwardStored(String topic, ChatMessage message) {
        }
    };

    /** A stored chat message delivered on {@code topic} here, as a message (not text) for the other nodes. */
    void forwardStored(String topic, ChatMessage message);

    /**
     * @param topic   the topic it was published on here
     * @param payload the payload (UTF-8 JSON text): an event or retained presence
     * @param retain  whether it was published retained
     */
    void forward(String topic, String payload, boolean retain);
}
