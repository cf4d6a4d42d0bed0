package io.mqchat.common.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;

import java.util.Optional;

/**
 * A request to the broker nodes, sent over the Redis channel {@link RedisKeys#BUS_CHANNEL} by the REST
 * services (and by broker nodes to each other). Every node receives every message and acts on what
 * concerns its own connections: the services have no MQTT connection of their own.
 *
 * <ul>
 *   <li>{@code publish}: publish {@code payload} (UTF-8 JSON text) to {@code topic} for all subscribers
 *       (or, with {@code clientId}, only to that client). Already stored or not a chat message: it does
 *       not pass the publish interceptor.</li>
 *   <li>{@code group}: membership of {@code groupId} changed. Every node forgets what it cached about the
 *       group, removes the group's subscription from the devices of {@code unsubscribe} and adds it to
 *       the devices of {@code subscribe}, then publishes {@code payload} (the stored event, if any) to the
 *       group topic and to the inboxes of the {@code unsubscribe} users (who no longer get the group topic).</li>
 *   <li>{@code forward}: a broker node delivered {@code payload} on {@code topic} to its own clients (a
 *       stored message, a sender's copy, a recall event, retained presence); every <em>other</em> node
 *       ({@code origin} is the sender) publishes it to its clients too. HiveMQ CE has no cluster: this is how
 *       a message reaches devices connected to another node.</li>
 *   <li>{@code delivery}: like {@code forward}, for a stored chat message: {@code message} is the message
 *       itself (its envelope as a JSON object, not text inside the JSON), so the receiving node publishes it
 *       with its {@code id}/{@code conv}/{@code seq} properties without reading a payload.</li>
 *   <li>{@code node}: broker node {@code origin} has started (or, with {@code reason} "reply", answers one
 *       that did): nodes forward to each other once they know of one another.</li>
 *   <li>{@code disconnect}: close the connection of {@code clientId} (kick), after sending it
 *       {@code payload} on its inbox if given — but only if that connection was authenticated with
 *       {@code tokenId} (when given), so a late kick never hits the device that replaced it.</li>
 * </ul>
 *
 * @param kind     {@code publish}, {@code group}, {@code forward}, {@code node} or {@code disconnect}
 * @param topic    for publish: the MQTT topic
 * @param payload  the payload text (JSON), may be null for disconnect
 * @param clientId the one client concerned, or null for all subscribers
 * @param retain   for publish: retained message
 * @param reason   for disconnect: the reason string given to MQTT 5 clients
 * @param tokenId  for disconnect: only a connection authenticated with this token id is closed (null: any)
 * @param loggedOut for disconnect: true when the device was logged out (its session is dropped too),
 *                 false when another login replaced it
 * @param groupId  for group: the group
 * @param subscribe for group: users whose devices now get the group topic
 * @param unsubscribe for group: users whose devices no longer get it
 * @param origin   for forward, delivery and node: the broker node that sent it
 * @param message  for delivery: the stored message
 */
public record BusMessage(String kind, String topic, String payload, String clientId, boolean retain, String reason,
                         String tokenId, boolean loggedOut, String groupId, java.util.List<String> subscribe,
                         java.util.List<String> unsubscribe, String origin,
                         io.mqchat.common.protocol.ChatMessage message) {

    public static final String PUBLISH = "publish";
    public static final String DISCONNECT = "disconnect";
    public static final String GROUP = "group";
    public static final String FORWARD = "forward";
    public static final String NODE = "node";
    public static final String DELIVERY = "delivery";

    public BusMessage {
        subscribe = subscribe == null ? java.util.List.of() : java.util.List.copyOf(subscribe);
        unsubscribe = unsubscribe == null ? java.util.List.of() : java.util.List.copyOf(unsubscribe);
    }

    private BusMessage(String kind, String topic, String payload, String clientId, boolean retain, String reason,
                       String tokenId, boolean loggedOut) {
        this(kind, topic, payload, clientId, retain, reason, tokenId, loggedOut, null, null, null, null, null);
    }

    /** What node {@code origin} delivered to its own clients, for the other nodes' clients. */
    public static BusMessage forward(String origin, String topic, String payload, boolean retain) {
        return new BusMessage(FORWARD, topic, payload, null, retain, null, null, false, null, null, null, origin, null);
    }

    /** A stored message node {@code origin} delivered on {@code topic}, for the other nodes' clients. */
    public static BusMessage delivery(String origin, String topic, io.mqchat.common.protocol.ChatMessage message) {
        return new BusMessage(DELIVERY, topic, null, null, false, null, null, false, null, null, null, origin, message);
    }

    /** Node {@code origin} is up ({@code reply}: in answer to another node's announcement). */
    public static BusMessage node(String origin, boolean reply) {
        return new BusMessage(NODE, null, null, null, false, reply ? "reply" : null, null, false, null, null, null,
                origin, null);
    }

    /**
     * Membership of a group changed: subscriptions to move, and the stored event announcing it (JSON of the
     * stored message, or null).
     */
    public static BusMessage group(String groupId, java.util.Collection<String> subscribe,
                                   java.util.Collection<String> unsubscribe, String eventPayload) {
        return new BusMessage(GROUP, null, eventPayload, null, false, null, null, false, groupId,
                subscribe == null ? null : java.util.List.copyOf(subscribe),
                unsubscribe == null ? null : java.util.List.copyOf(unsubscribe), null, null);
    }

    public static BusMessage publish(String topic, String payload) {
        return new BusMessage(PUBLISH, topic, payload, null, false, null, null, false);
    }

    public static BusMessage publishRetained(String topic, String payload) {
        return new BusMessage(PUBLISH, topic, payload, null, true, null, null, false);
    }

    public static BusMessage publishToClient(String clientId, String topic, String payload) {
        return new BusMessage(PUBLISH, topic, payload, clientId, false, null, null, false);
    }

    /**
     * Kick a device: tell it why on {@code inboxTopic} (if it is still subscribed), then disconnect it,
     * if it is still the connection of {@code tokenId}.
     */
    public static BusMessage disconnect(String clientId, String tokenId, String inboxTopic, String eventPayload,
                                        String reason, boolean loggedOut) {
        return new BusMessage(DISCONNECT, inboxTopic, eventPayload, clientId, false, reason, tokenId, loggedOut);
    }

    public String toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("kind", kind);
        if (topic != null) {
            node.put("topic", topic);
        }
        if (payload != null) {
            node.put("payload", payload);
        }
        if (clientId != null) {
            node.put("clientId", clientId);
        }
        if (retain) {
            node.put("retain", true);
        }
        if (reason != null) {
            node.put("reason", reason);
        }
        if (tokenId != null) {
            node.put("tokenId", tokenId);
        }
        if (loggedOut) {
            node.put("loggedOut", true);
        }
        if (origin != null) {
            node.put("origin", origin);
        }
        if (message != null) {
            node.set("message", message.toJson());
        }
        if (groupId != null) {
            node.put("groupId", groupId);
            subscribe.forEach(node.putArray("subscribe")::add);
            unsubscribe.forEach(node.putArray("unsubscribe")::add);
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.List<String> texts(JsonNode array) {
        if (array == null || !array.isArray()) {
            return java.util.List.of();
        }
        java.util.List<String> result = new java.util.ArrayList<>(array.size());
        array.forEach(e -> result.add(e.asText()));
        return result;
    }

    /** The stored message of a delivery, or null unless it is an object with an id, a conversation and a seq. */
    private static io.mqchat.common.protocol.ChatMessage deliveredMessage(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("id").isTextual() || !node.path("conv").isTextual()
                || !node.path("seq").canConvertToLong()) {
            return null;
        }
        return io.mqchat.common.protocol.ChatMessage.fromJson(node);
    }

    /** Empty for anything that is not a well-formed bus message (it is then ignored and logged). */
    public static Optional<BusMessage> fromJson(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            String kind = n.path("kind").asText(null);
            if (!java.util.Set.of(PUBLISH, DISCONNECT, GROUP, FORWARD, NODE, DELIVERY).contains(kind)) {
                return Optional.empty();
            }
            BusMessage m = new BusMessage(kind, n.path("topic").asText(null), n.path("payload").asText(null),
                    n.path("clientId").asText(null), n.path("retain").asBoolean(false), n.path("reason").asText(null),
                    n.path("tokenId").asText(null), n.path("loggedOut").asBoolean(false),
                    n.path("groupId").asText(null), texts(n.get("subscribe")), texts(n.get("unsubscribe")),
                    n.path("origin").asText(null), deliveredMessage(n.get("message")));
            if ((FORWARD.equals(kind) || NODE.equals(kind) || DELIVERY.equals(kind)) && m.origin() == null) {
                return Optional.empty();
            }
            if (DELIVERY.equals(kind) && (m.topic() == null || m.message() == null)) {
                return Optional.empty();
            }
            if (FORWARD.equals(kind) && (m.topic() == null || m.payload() == null)) {
                return Optional.empty();
            }
            if (GROUP.equals(kind) && (m.groupId() == null || !io.mqchat.common.protocol.Ids.isValidGroupId(m.groupId())
                    || !m.subscribe().stream().allMatch(io.mqchat.common.protocol.Ids::isValidUserId)
                    || !m.unsubscribe().stream().allMatch(io.mqchat.common.protocol.Ids::isValidUserId))) {
                return Optional.empty();
            }
            if (PUBLISH.equals(kind) && (m.topic() == null || m.payload() == null)) {
                return Optional.empty();
            }
            if (DISCONNECT.equals(kind) && m.clientId() == null) {
                return Optional.empty();
            }
            return Optional.of(m);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
