package io.mqchat.broker.presence;

import io.mqchat.broker.delivery.Forwarding;
import io.mqchat.broker.delivery.ServerPublisher;

import com.hivemq.extension.sdk.api.services.publish.PublishService;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookEvents;
import io.mqchat.common.webhooks.WebhookOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Presence of this node's devices: written to Redis as connections come and go and published as the
 * retained {@code chat/p/{userId}}. A disconnect takes effect only after a grace period, so a brief
 * reconnect (a phone switching networks) does not flap. The node's heartbeat keeps its entries alive;
 * when a node dies they expire, and any node's sweeper publishes those users as offline.
 */
public final class Presence implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Presence.class);

    private final PresenceStore store;
    private final PublishService publishService;
    private volatile Forwarding forwarding = Forwarding.NONE;
    private volatile WebhookOutbox webhooks;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService io;
    private final String nodeId;
    private final Duration grace;
    private final Clock clock;
    private final Map<String, ScheduledFuture<?>> pendingOffline = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> heartbeat;

    public Presence(PresenceStore store, PublishService publishService, ScheduledExecutorService scheduler,
                    ExecutorService io, String nodeId, Duration grace, Duration heartbeatInterval, Clock clock) {
        this.store = store;
        this.publishService = publishService;
        this.scheduler = scheduler;
        this.io = io;
        this.nodeId = nodeId;
        this.grace = grace;
        this.clock = clock;
        Duration ttl = heartbeatInterval.multipliedBy(3);
        store.heartbeat(nodeId, ttl);
        this.heartbeat = scheduler.scheduleAtFixedRate(() -> io.execute(() -> beat(ttl)),
                heartbeatInterval.toMillis(), heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
        io.execute(this::sweep); // entries of this node's dead predecessor (a crash or restart)
        io.execute(this::indexExisting);
    }

    private void beat(Duration ttl) {
        try {
            store.heartbeat(nodeId, ttl);
            sweep();
        } catch (RuntimeException e) {
            log.warn("mqchat presence: heartbeat failed: {}", e.toString());
        }
    }

    private void sweep() {
        try {
            for (String user : store.sweepDeadNodes(clock.millis())) {
                Map<String, PresenceStore.DevicePresence> devices = publish(user);
                if (online(devices).isEmpty()) {
                    offer(WebhookEvents.USER_OFFLINE, user, devices);
                }
            }
        } catch (RuntimeException e) {
            log.warn("mqchat presence: sweep failed: {}", e.toString());
        }
    }

    /** Entries of nodes from before the online index (the admin API's list) are added to it once, at start. */
    private void indexExisting() {
        try {
            int added = store.indexExisting(500);
            if (added > 0) {
                log.info("mqchat presence: {} online users added to the online index", added);
            }
        } catch (RuntimeException e) {
            log.warn("mqchat presence: indexing the online users failed: {}", e.toString());
        }
    }

    public void connected(ClientId client) {
        ScheduledFuture<?> pending = pendingOffline.remove(client.toString());
        if (pending != null) {
            pending.cancel(false);
        }
        io.execute(() -> {
            try {
                // a user.online only when this is the user's first device (read before, and only when wanted)
                boolean watched = wanted(WebhookEvents.USER_ONLINE);
                boolean wasOnline = watched && !online(store.read(client.userId())).isEmpty();
                store.connected(client.userId(), client.deviceType(), nodeId, clock.millis());
                Map<String, PresenceStore.DevicePresence> devices = publish(client.userId());
                if (watched && !wasOnline) {
                    offer(WebhookEvents.USER_ONLINE, client.userId(), devices);
                }
            } catch (RuntimeException e) {
                log.warn("mqchat presence: recording {} online failed: {}", client, e.toString());
            }
        });
    }

    public void disconnected(ClientId client) {
        String key = client.toString();
        ScheduledFuture<?> task = scheduler.schedule(() -> io.execute(() -> {
            if (pendingOffline.remove(key) == null) {
                return; // reconnected meanwhile
            }
            try {
                if (store.disconnected(client.userId(), client.deviceType(), nodeId, clock.millis())) {
                    Map<String, PresenceStore.DevicePresence> devices = publish(client.userId());
                    if (online(devices).isEmpty()) {
                        offer(WebhookEvents.USER_OFFLINE, client.userId(), devices); // the user's last device
                    }
                }
            } catch (RuntimeException e) {
                log.warn("mqchat presence: recording {} offline failed: {}", client, e.toString());
            }
        }), grace.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = pendingOffline.put(key, task);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /** Publishes the user's presence; returns the devices it was made of. */
    private Map<String, PresenceStore.DevicePresence> publish(String userId) {
        Map<String, PresenceStore.DevicePresence> devices = store.read(userId);
        String payload = store.presenceEvent(userId, devices, clock.millis());
        forwarding.forward(Topics.presence(userId), payload, true); // retained on every node
        publishService.publish(ServerPublisher.json(Topics.presence(userId), payload.getBytes(StandardCharsets.UTF_8))
                .retain(true).build());
        return devices;
    }

    private static List<String> online(Map<String, PresenceStore.DevicePresence> devices) {
        return devices.values().stream().filter(PresenceStore.DevicePresence::online)
                .map(PresenceStore.DevicePresence::deviceType).toList();
    }

    private boolean wanted(String event) {
        WebhookOutbox outbox = webhooks;
        return outbox != null && outbox.wants(event);
    }

    private void offer(String event, String userId, Map<String, PresenceStore.DevicePresence> devices) {
        WebhookOutbox outbox = webhooks;
        if (outbox != null) {
            List<String> online = online(devices);
            outbox.offer(event, clock.millis(), new WebhookBody.UserPresence(userId, !online.isEmpty(), online));
        }
    }

    /**
     * Real transitions (a user's first device online, last device offline) also go to the webhooks. Two devices of
     * one user connecting at the same moment on two nodes may both count as the first: receivers get at least one.
     */
    public void notify(WebhookOutbox outbox) {
        this.webhooks = outbox;
    }

    /** Presence changes also go to the other broker nodes (retained there too). */
    public void forwardTo(Forwarding forwarding) {
        this.forwarding = forwarding;
    }

    @Override
    public void close() {
        heartbeat.cancel(false);
        pendingOffline.values().forEach(f -> f.cancel(false));
    }
}
