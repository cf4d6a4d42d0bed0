package io.mqchat.broker.cluster;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.groups.GroupSubscriptions;
import io.mqchat.broker.session.ConnectedDevices;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.redis.RedisKeys;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * This node's end of the Redis bus: the REST services (and other nodes) ask for publishes and kicks,
 * and every node carries out what concerns its own connections. Publishes made here bypass the publish
 * interceptor, which is right: they are events or already stored.
 */
public final class NodeBus implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeBus.class);
    /** How long a kicked device has to receive its kick event before the connection is closed. */
    static final java.time.Duration KICK_NOTICE = java.time.Duration.ofMillis(750);

    private final RTopic topic;
    private final PublishService publishService;
    private final ClientService clientService;
    private final ConnectedDevices connected;
    private final int listenerId;
    private final GroupSubscriptions groups;
    private final PeerForwarder peers;
    private final Consumer<String> accountDeleted;
    private final BiConsumer<String, String> relationChanged;

    public NodeBus(RedissonClient redis, PublishService publishService, ClientService clientService,
                   ConnectedDevices connected) {
        this(redis, publishService, clientService, connected, null, null, user -> { }, (user, other) -> { });
    }

    /**
     * @param groups where group membership changes go (null: ignored)
     * @param peers  where other nodes' forwarded deliveries and announcements go (null: ignored)
     * @param accountDeleted told the id of an account that was deleted
     * @param relationChanged told of a block, contact or privacy setting that changed (user, other or null)
     */
    public NodeBus(RedissonClient redis, PublishService publishService, ClientService clientService,
                   ConnectedDevices connected, GroupSubscriptions groups, PeerForwarder peers,
                   Consumer<String> accountDeleted, BiConsumer<String, String> relationChanged) {
        this.accountDeleted = accountDeleted;
        this.relationChanged = relationChanged;
        this.groups = groups;
        this.peers = peers;
        this.topic = redis.getTopic(RedisKeys.BUS_CHANNEL, StringCodec.INSTANCE);
        this.publishService = publishService;
        this.clientService = clientService;
        this.connected = connected;
        this.listenerId = topic.addListener(String.class, (channel, json) -> handle(json));
    }

    /** Sends a message to every node (this one included). */
    public void send(BusMessage message) {
        topic.publishAsync(message.toJson());
    }

    void handle(String json) {
        Optional<BusMessage> parsed = BusMessage.fromJson(json);
        if (parsed.isEmpty()) {
            log.warn("mqchat bus: ignoring malformed message ({} chars)", json.length());
            return;
        }
        BusMessage m = parsed.get();
        try {
            if (m instanceof BusMessage.Publish p) {
                publish(p);
            } else if (m instanceof BusMessage.GroupChange g) {
                groupChanged(g);
            } else if (m instanceof BusMessage.Delivery d) {
                if (peers != null) {
                    peers.received(d);
                }
            } else if (m instanceof BusMessage.Forward f) {
                if (peers != null) {
                    peers.received(f);
                }
            } else if (m instanceof BusMessage.NodeUp n) {
                if (peers != null) {
                    peers.announced(n);
                }
            } else if (m instanceof BusMessage.Disconnect d) {
                kick(d);
            } else if (m instanceof BusMessage.AccountDeleted a) {
                accountDeleted.accept(a.userId());
            } else if (m instanceof BusMessage.RelationChanged r) {
                relationChanged.accept(r.user(), r.other());
            }
        } catch (RuntimeException e) {
            log.warn("mqchat bus: {} failed: {}", m.getClass().getSimpleName(), e.toString());
        }
    }

    private void publish(BusMessage.Publish m) {
        if (m.clientId() == null && Topics.BROADCAST.equals(m.topic())) {
            broadcastHere(m.payload().getBytes(StandardCharsets.UTF_8));
            return;
        }
        Publish publish = ServerPublisher.json(m.topic(), m.payload().getBytes(StandardCharsets.UTF_8))
                .retain(ServerPublisher.mayRetain(m.topic(), m.retain())).build();
        if (m.clientId() == null) {
            publishService.publish(publish);
        } else if (connected.tokenIdOf(m.clientId()).isPresent()) {
            publishService.publishToClient(publish, m.clientId());
        }
    }

    /**
     * A broadcast to everyone: to the inbox of every device connected to this node (each node does the same for
     * its own). No subscription is held for it, so an idle connection costs nothing more, and a device gets it as
     * soon as it is subscribed to its inbox.
     */
    private void broadcastHere(byte[] payload) {
        java.util.Set<String> users = new java.util.HashSet<>();
        for (String clientId : connected.clientIds()) {
            ClientId.parse(clientId).ifPresent(device -> users.add(device.userId()));
        }
        // one publish per user on its inbox: every device of the user subscribed to it gets it
        for (String user : users) {
            publishService.publish(ServerPublisher.json(Topics.inbox(user), payload).build());
        }
        log.debug("mqchat bus: broadcast published to the inboxes of {} user(s) of this node", users.size());
    }

    private void groupChanged(BusMessage.GroupChange m) {
        GroupSubscriptions groups = this.groups;
        if (groups != null) {
            groups.changed(m);
        }
    }

    private void kick(BusMessage.Disconnect m) {
        Optional<String> tokenId = connected.tokenIdOf(m.clientId());
        if (tokenId.isEmpty()) {
            if (m.loggedOut()) {
                clientService.invalidateSession(m.clientId()); // offline: drop its queue all the same
            }
            return; // not connected here
        }
        if (m.tokenId() != null && !m.tokenId().equals(tokenId.get())) {
            return; // connected with a newer login of the device (or a new service credential): it stays
        }
        CompletableFuture<?> told = m.payload() != null && m.topic() != null
                ? publishService.publishToClient(Builders.publish().topic(m.topic()).qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(m.payload().getBytes(StandardCharsets.UTF_8))).build(), m.clientId())
                : CompletableFuture.completedFuture(null);
        // Disconnect a moment after the kick event is on its way: a client library stops handing over
        // messages once the connection closes, and the device should learn why it was cut off.
        told.orTimeout(2, TimeUnit.SECONDS).whenCompleteAsync((ignored, error) -> clientService
                .disconnectClient(m.clientId(), false, m.loggedOut()
                        ? DisconnectReasonCode.ADMINISTRATIVE_ACTION : DisconnectReasonCode.SESSION_TAKEN_OVER, m.reason())
                .whenComplete((done, e) -> {
                    if (m.loggedOut()) {
                        // a logged-out device's queue is of no use to anyone; a new login syncs from MongoDB
                        clientService.invalidateSession(m.clientId());
                    }
                }), CompletableFuture.delayedExecutor(KICK_NOTICE.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        topic.removeListener(listenerId);
    }
}
