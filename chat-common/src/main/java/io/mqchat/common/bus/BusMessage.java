package io.mqchat.common.bus;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.redis.RedisKeys;
import org.jspecify.annotations.Nullable;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A request to the broker nodes, sent over the Redis channel {@link RedisKeys#BUS_CHANNEL} by the REST
 * services (and by broker nodes to each other). Every node receives every message and acts on what
 * concerns its own connections: the services have no MQTT connection of their own. In JSON the record is
 * named by {@code kind}; a message that is not well formed is ignored (and logged) by the receiver.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = BusMessage.Publish.class, name = "publish"),
        @JsonSubTypes.Type(value = BusMessage.GroupChange.class, name = "group"),
        @JsonSubTypes.Type(value = BusMessage.Forward.class, name = "forward"),
        @JsonSubTypes.Type(value = BusMessage.Delivery.class, name = "delivery"),
        @JsonSubTypes.Type(value = BusMessage.NodeUp.class, name = "node"),
        @JsonSubTypes.Type(value = BusMessage.Disconnect.class, name = "disconnect"),
        @JsonSubTypes.Type(value = BusMessage.AccountDeleted.class, name = "account_deleted"),
        @JsonSubTypes.Type(value = BusMessage.RelationChanged.class, name = "relation")})
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface BusMessage {

    /** Whether the fields this kind needs are there and valid. */
    boolean wellFormed();

    /**
     * Publish {@code payload} (UTF-8 JSON text) to {@code topic} for all subscribers (or, with
     * {@code clientId}, only to that client). Already stored or not a chat message: it does not pass the
     * publish interceptor.
     */
    record Publish(String topic, String payload, @Nullable String clientId, boolean retain) implements BusMessage {

        @Override
        public boolean wellFormed() {
            return topic != null && payload != null;
        }
    }

    /**
     * Membership of {@code groupId} changed. Every node forgets what it cached about the group, removes the
     * group's subscription from the devices of {@code unsubscribe} and adds it to the devices of
     * {@code subscribe}, then publishes {@code payload} (the stored event, if any) to the group topic and to
     * the inboxes of the {@code unsubscribe} users (who no longer get the group topic).
     */
    record GroupChange(String groupId, List<String> subscribe, List<String> unsubscribe, @Nullable String payload)
            implements BusMessage {

        public GroupChange {
            subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
            unsubscribe = unsubscribe == null ? List.of() : List.copyOf(unsubscribe);
        }

        @Override
        public boolean wellFormed() {
            return groupId != null && Ids.isValidGroupId(groupId) && subscribe.stream().allMatch(Ids::isValidUserId)
                    && unsubscribe.stream().allMatch(Ids::isValidUserId);
        }
    }

    /**
     * A broker node ({@code origin}) delivered {@code payload} on {@code topic} to its own clients (a sender's
     * copy, a recall event, retained presence); every <em>other</em> node publishes it to its clients too.
     * HiveMQ CE has no cluster: this is how a message reaches devices connected to another node.
     */
    record Forward(String origin, String topic, String payload, boolean retain) implements BusMessage {

        @Override
        public boolean wellFormed() {
            return origin != null && topic != null && payload != null;
        }
    }

    /**
     * Like {@link Forward}, for a stored chat message: the message itself (its envelope as a JSON object, not
     * text inside the JSON), so the receiving node publishes it with its {@code id}/{@code conv}/{@code seq}
     * properties without reading a payload.
     */
    record Delivery(String origin, String topic, ChatMessage message) implements BusMessage {

        @Override
        public boolean wellFormed() {
            // a stored message has an id, a conversation and a seq (from 1)
            return origin != null && topic != null && message != null && message.id() != null
                    && message.conv() != null && message.seq() > 0;
        }
    }

    /**
     * Broker node {@code origin} has started (or, with {@code reason} "reply", answers one that did): nodes
     * forward to each other once they know of one another.
     */
    record NodeUp(String origin, @Nullable String reason) implements BusMessage {

        private static final String REPLY = "reply";

        /** Whether this answers another node's announcement (which is then not answered again). */
        @JsonIgnore
        public boolean isReply() {
            return REPLY.equals(reason);
        }

        @Override
        public boolean wellFormed() {
            return origin != null;
        }
    }

    /**
     * Close the connection of {@code clientId} (kick), after sending it {@code payload} on {@code topic} (its
     * inbox) if given — but only if that connection was authenticated with {@code tokenId} (when given), so a
     * late kick never hits the device that replaced it. {@code reason} goes to MQTT 5 clients;
     * {@code loggedOut}: the device was logged out (its session is dropped too), not replaced by another login.
     */
    record Disconnect(String clientId, @Nullable String tokenId, @Nullable String topic, @Nullable String payload,
                      @Nullable String reason, boolean loggedOut) implements BusMessage {

        @Override
        public boolean wellFormed() {
            return clientId != null;
        }
    }

    /**
     * The account {@code userId} was deleted: every node stops counting it as a recipient now, rather than when
     * its cached answer expires.
     */
    record AccountDeleted(String userId) implements BusMessage {

        @Override
        public boolean wellFormed() {
            return Ids.isValidUserId(userId);
        }
    }

    /**
     * What {@code user} chose about {@code other} changed (a block, a contact, or, with {@code other} null, one of
     * their privacy settings): every node forgets what it decided about the two and re-checks presence
     * subscriptions between them now.
     */
    record RelationChanged(String user, @Nullable String other) implements BusMessage {

        @Override
        public boolean wellFormed() {
            return Ids.isValidUserId(user) && (other == null || Ids.isValidUserId(other));
        }
    }

    static RelationChanged relationChanged(String user, @Nullable String other) {
        return new RelationChanged(user, other);
    }

    static Publish publish(String topic, String payload) {
        return new Publish(topic, payload, null, false);
    }

    static Publish publishRetained(String topic, String payload) {
        return new Publish(topic, payload, null, true);
    }

    static Publish publishToClient(String clientId, String topic, String payload) {
        return new Publish(topic, payload, clientId, false);
    }

    /**
     * Membership of a group changed: subscriptions to move, and the stored event announcing it (JSON of the
     * stored message, or null).
     */
    static GroupChange group(String groupId, @Nullable Collection<String> subscribe,
                             @Nullable Collection<String> unsubscribe, @Nullable String eventPayload) {
        return new GroupChange(groupId, subscribe == null ? null : List.copyOf(subscribe),
                unsubscribe == null ? null : List.copyOf(unsubscribe), eventPayload);
    }

    /** What node {@code origin} delivered to its own clients, for the other nodes' clients. */
    static Forward forward(String origin, String topic, String payload, boolean retain) {
        return new Forward(origin, topic, payload, retain);
    }

    /** A stored message node {@code origin} delivered on {@code topic}, for the other nodes' clients. */
    static Delivery delivery(String origin, String topic, ChatMessage message) {
        return new Delivery(origin, topic, message);
    }

    /** Node {@code origin} is up ({@code reply}: in answer to another node's announcement). */
    static NodeUp node(String origin, boolean reply) {
        return new NodeUp(origin, reply ? NodeUp.REPLY : null);
    }

    /**
     * Kick a device: tell it why on {@code inboxTopic} (if it is still subscribed), then disconnect it, if it is
     * still the connection of {@code tokenId}.
     */
    static Disconnect disconnect(String clientId, @Nullable String tokenId, String inboxTopic,
                                 @Nullable String eventPayload, @Nullable String reason, boolean loggedOut) {
        return new Disconnect(clientId, tokenId, inboxTopic, eventPayload, reason, loggedOut);
    }

    static AccountDeleted accountDeleted(String userId) {
        return new AccountDeleted(userId);
    }

    /** This message as the JSON text sent on the channel. */
    default String toJson() {
        try {
            return Json.MAPPER.writerFor(BusMessage.class).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + getClass().getSimpleName(), e);
        }
    }

    /** Empty for anything that is not a well-formed bus message (it is then ignored and logged). */
    static Optional<BusMessage> fromJson(String json) {
        try {
            return Optional.ofNullable(Json.MAPPER.readValue(json, BusMessage.class)).filter(BusMessage::wellFormed);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
