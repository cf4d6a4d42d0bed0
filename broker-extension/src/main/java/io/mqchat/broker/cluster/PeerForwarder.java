package io.mqchat.broker.cluster;

import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.broker.delivery.Forwarding;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.presence.Presence;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.redis.RedisKeys;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cross-node delivery. Broker nodes are independent HiveMQ CE instances behind a load balancer; a message
 * stored on one node must also reach devices connected to the others. After a node delivered something to
 * its own clients it sends it on the Redis bus ({@link BusMessage#forward}); every other node publishes it
 * to its clients with {@link PublishService}, which skips the publish interceptor (it is stored already).
 *
 * <p>Forwarding costs one Redis publish per delivery, so it happens only while other nodes are alive. A node
 * announces itself on the bus when it starts and the others answer, so two nodes know of each other at
 * once; the node list in Redis (kept by {@link Presence}'s heartbeats) is re-read every heartbeat, so a node
 * that died is dropped. Devices that miss a live delivery in between (a node starting) recover it by sync,
 * like any other gap.
 */
public final class PeerForwarder implements Forwarding, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerForwarder.class);

    private final String nodeId;
    private final RedissonClient redis;
    private final PresenceStore nodes;
    private final PublishService publishService;
    private final Set<String> peers = ConcurrentHashMap.newKeySet();
    private final Counter sent;
    private final Counter received;
    private volatile NodeBus bus;
    private volatile ScheduledFuture<?> refresh;

    public PeerForwarder(String nodeId, RedissonClient redis, PresenceStore nodes, PublishService publishService,
                         MeterRegistry metrics) {
        this.nodeId = nodeId;
        this.redis = redis;
        this.nodes = nodes;
        this.publishService = publishService;
        this.sent = Counter.builder("mqchat.bus.forwarded").description("deliveries forwarded to other broker nodes")
                .register(metrics);
        this.received = Counter.builder("mqchat.bus.forwards.received")
                .description("deliveries forwarded here by other broker nodes").register(metrics);
    }

    /** Starts: announces this node and re-reads the node list every {@code interval}. */
    public void start(NodeBus bus, ScheduledExecutorService scheduler, Executor io, Duration interval) {
        this.bus = bus;
        refreshPeers();
        bus.send(BusMessage.node(nodeId, false));
        refresh = scheduler.scheduleAtFixedRate(() -> io.execute(this::refreshPeers), interval.toMillis(),
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The other live nodes this node knows of. */
    public Set<String> peers() {
        return Set.copyOf(peers);
    }

    @Override
    public void forward(String topic, String payload, boolean retain) {
        NodeBus b = bus;
        if (b == null || peers.isEmpty()) {
            return;
        }
        b.send(BusMessage.forward(nodeId, topic, payload, retain));
        sent.increment();
    }

    @Override
    public void forwardStored(String topic, ChatMessage message) {
        NodeBus b = bus;
        if (b == null || peers.isEmpty()) {
            return;
        }
        b.send(BusMessage.delivery(nodeId, topic, message));
        sent.increment();
    }

    /** Another node's delivery (a stored message or an event): publish it to this node's clients. Own forwards come back too and are skipped. */
    void received(BusMessage.Delivery m) {
        // a stored message: the user properties of a local delivery, from the message itself
        ChatMessage message = m.message();
        received(m.origin(), m.topic(), ServerPublisher.storedMessage(m.topic(), message.toJsonBytes(), message));
    }

    /** Another node's forwarded event. */
    void received(BusMessage.Forward m) {
        received(m.origin(), m.topic(), ServerPublisher.json(m.topic(), m.payload().getBytes(StandardCharsets.UTF_8))
                .retain(ServerPublisher.mayRetain(m.topic(), m.retain())));
    }

    private void received(String origin, String topic, PublishBuilder publish) {
        if (nodeId.equals(origin)) {
            return;
        }
        peers.add(origin);
        received.increment();
        publishService.publish(publish.build()).exceptionally(e -> {
            log.debug("mqchat bus: forwarded delivery to {} not published: {}", topic, e.toString());
            return null;
        });
    }

    /** A node started (or answered): remember it, and answer a start so that it knows of this node. */
    void announced(BusMessage.NodeUp m) {
        if (nodeId.equals(m.origin())) {
            return;
        }
        if (peers.add(m.origin())) {
            log.info("mqchat: broker node {} joined; forwarding deliveries to {} other node(s)", m.origin(), peers.size());
        }
        if (!m.isReply() && bus != null) {
            bus.send(BusMessage.node(nodeId, true));
        }
    }

    private void refreshPeers() {
        try {
            Set<String> listed = redis.<String>getSet(RedisKeys.NODES, StringCodec.INSTANCE).readAll();
            for (String node : listed) {
                if (!node.equals(nodeId) && nodes.isNodeAlive(node)) {
                    peers.add(node);
                }
            }
            peers.removeIf(node -> !nodes.isNodeAlive(node));
        } catch (RuntimeException e) {
            log.warn("mqchat: reading the broker node list failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> r = refresh;
        if (r != null) {
            r.cancel(false);
        }
    }
}
