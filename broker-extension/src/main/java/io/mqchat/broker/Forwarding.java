package io.mqchat.broker;

/**
 * Hands what this broker node delivered to its own clients on to the other nodes, whose clients may be the
 * same users' other devices or the recipients. HiveMQ CE has no cluster; see {@link PeerForwarder}.
 */
@FunctionalInterface
public interface Forwarding {

    /** A single node: nothing to forward. */
    Forwarding NONE = (topic, payload, retain) -> {
    };

    /**
     * @param topic   the topic it was published on here
     * @param payload the payload (UTF-8 JSON text): a stored message, an event or retained presence
     * @param retain  whether it was published retained
     */
    void forward(String topic, String payload, boolean retain);
}
