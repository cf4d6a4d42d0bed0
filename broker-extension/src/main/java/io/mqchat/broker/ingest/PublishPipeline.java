package io.mqchat.broker.ingest;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqchat.broker.delivery.DeliveryOrder;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.session.ConnectionLogin;
import io.mqchat.broker.store.StoreHealth;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.ServerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The pipelined publish path of this broker node. The publish interceptor decides at once (from caches) and
 * queues the message here; many messages of one connection are then stored at the same time, each PUBACK held
 * ({@link ConnectionPublishes}) until its message is stored and delivered ({@link InFlightMessage},
 * {@link DeliveryOrder}). HiveMQ runs all extension work of a client id in one queue, so waiting for the store
 * inside the publish interceptor would allow one message per store round trip per connection.
 *
 * <p>Bounded: at most {@code perConnection} messages of a connection and {@code maxBytes} of payload in total are
 * in flight; beyond that publishes are refused (quota exceeded), never queued.
 */
public final class PublishPipeline {

    private static final Logger log = LoggerFactory.getLogger(PublishPipeline.class);
    /** The connection attribute numbering a connection's {@link ConnectionPublishes}, once it published. */
    static final String CONNECTION_ATTRIBUTE = "mqchat.connection";
    /** The connection attribute written at a connection's disconnect: a publish handled later keeps nothing. */
    static final String CLOSED_ATTRIBUTE = "mqchat.closed";
    /** What one message costs besides its payload (envelope, futures, maps), for the total bound. */
    private static final int OVERHEAD_BYTES = 1_024;

    private final MessageAcceptor acceptor;
    private final DeliveryOrder order;
    private final ServerPublisher publisher;
    private final ClientService clients;
    private final StoreHealth health;
    private final Executor callbacks;
    private final ScheduledExecutorService timers;
    private final Duration storeTimeout;
    private final Duration holdTimeout;
    private final int perConnection;
    private final long maxBytes;
    /** The connections of this node that published, by their number; an idle connection has no entry. */
    private final ConcurrentHashMap<Long, ConnectionPublishes> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionNumbers = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger messages = new AtomicInteger();
    private final int qos0Pending;
    private final MeterRegistry metrics;
    private final Timer acceptTimer;
    private final Counter disconnects;
    private volatile Consumer<ChatMessage> storedListener = message -> {
    };

    /**
     * @param storeTimeout  how long a message may take from queued to stored; later it fails (and its
     *                      connection is closed)
     * @param perConnection messages of one connection in flight at most
     * @param maxBytes      payload bytes in flight on this node at most
     * @param qos0Pending   QoS 0 messages of one connection in flight at most
     */
    public PublishPipeline(MessageAcceptor acceptor, ServerPublisher publisher, ClientService clients,
                           StoreHealth health, Executor callbacks, ScheduledExecutorService timers,
                           Duration storeTimeout, int perConnection, long maxBytes, int qos0Pending,
                           MeterRegistry metrics) {
        this.acceptor = acceptor;
        this.publisher = publisher;
        this.clients = clients;
        this.health = health;
        this.callbacks = callbacks;
        this.timers = timers;
        this.storeTimeout = storeTimeout;
        // HiveMQ writes the original (success) PUBACK when a hold runs out: far beyond every bounded wait here
        // (the store deadline, the wait for earlier seqs, the disconnect), so that it never happens
        this.holdTimeout = storeTimeout.multipliedBy(3).plusSeconds(30);
        this.perConnection = perConnection;
        this.maxBytes = maxBytes;
        this.qos0Pending = qos0Pending;
        this.order = new DeliveryOrder(metrics);
        this.metrics = metrics;
        this.acceptTimer = Timer.builder("mqchat.publish.accept")
                .description("chat publish queued to stored (what its PUBACK waits for)")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.disconnects = Counter.builder("mqchat.publish.disconnects")
                .description("connections closed because a message of theirs was not stored").register(metrics);
        Gauge.builder("mqchat.publish.inflight", messages, AtomicInteger::get)
                .description("chat messages queued, being stored or waiting to be delivered").register(metrics);
        Gauge.builder("mqchat.publish.inflight.bytes", bytes, AtomicLong::get)
                .description("payload bytes of the messages in flight").register(metrics);
    }

    DeliveryOrder order() {
        return order;
    }

    Duration holdTimeout() {
        return holdTimeout;
    }

    /**
     * The publishes of a connection, made at its first publish (an idle connection costs nothing here) and found
     * again by the number its attributes hold: at its next publishes, its PUBACKs and its disconnect.
     */
    ConnectionPublishes publishesOf(ConnectionInformation connection, String clientId) {
        ConnectionAttributeStore attributes = connection.getConnectionAttributeStore();
        Optional<ByteBuffer> number = attributes.get(CONNECTION_ATTRIBUTE);
        if (number.isPresent()) {
            ConnectionPublishes known = connections.get(number.get().getLong(0));
            if (known != null) {
                return known;
            }
        }
        // the initializer gave the publish interceptor only to connections whose client id names a device
        ConnectionPublishes publishes = new ConnectionPublishes(this, clientId, ClientId.parse(clientId).orElseThrow(),
                connection.getMqttVersion() == MqttVersion.V_5, ConnectionLogin.isService(attributes));
        if (number.isPresent() || attributes.get(CLOSED_ATTRIBUTE).isPresent()) {
            publishes.closed(); // the connection is gone: its publish is handled as one whose connection closed
            return publishes;
        }
        long n = connectionNumbers.incrementAndGet();
        attributes.put(CONNECTION_ATTRIBUTE, ByteBuffer.allocate(Long.BYTES).putLong(0, n));
        connections.put(n, publishes);
        // closed meanwhile: whoever takes the entry out closes it, so nothing stays behind
        if (attributes.get(CLOSED_ATTRIBUTE).isPresent() && connections.remove(n) != null) {
            publishes.closed();
        }
        return publishes;
    }

    /** The publishes of a connection that published, if it did. */
    Optional<ConnectionPublishes> existingPublishesOf(ConnectionInformation connection) {
        return connection.getConnectionAttributeStore().get(CONNECTION_ATTRIBUTE)
                .map(number -> connections.get(number.getLong(0)));
    }

    /** The connection is gone (its attributes number its publishes, if it published). */
    public void disconnected(ConnectionInformation connection) {
        ConnectionAttributeStore attributes = connection.getConnectionAttributeStore();
        attributes.put(CLOSED_ATTRIBUTE, ByteBuffer.allocate(0));
        attributes.get(CONNECTION_ATTRIBUTE).map(number -> connections.remove(number.getLong(0)))
                .ifPresent(ConnectionPublishes::closed);
    }

    /**
     * Why a publish of {@code payloadBytes} may not be queued now, if it may not: the stores are known to be down,
     * or the connection or the node has too much in flight.
     */
    Optional<ProtocolException> refusal(ConnectionPublishes connection, int payloadBytes, String cid, boolean qos0) {
        if (health.isDown()) {
            return Optional.of(new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE,
                    "not stored: the message store is unavailable (" + health.why() + "); retry with the same cid", cid));
        }
        if (!qos0 && connection.inFlight() >= perConnection) {
            return Optional.of(new ProtocolException(ProtocolError.RATE_LIMITED, "this connection has "
                    + perConnection + " messages in flight; wait for their PUBACKs, then retry with the same cid", cid));
        }
        if (bytes.get() + payloadBytes + OVERHEAD_BYTES > maxBytes) {
            return Optional.of(new ProtocolException(ProtocolError.RATE_LIMITED,
                    "the server has too many messages in flight; retry with the same cid", cid));
        }
        return Optional.empty();
    }

    /**
     * Takes a message's share of the node's in-flight bytes, atomically, just before it is queued; false when it does
     * not fit. {@link #refusal} looks earlier, without taking: an admission that waited for a lookup may find the
     * bound taken meanwhile by other connections' messages.
     */
    boolean tryReserve(int payloadBytes) {
        long want = payloadBytes + OVERHEAD_BYTES;
        while (true) {
            long now = bytes.get();
            if (now + want > maxBytes) {
                return false;
            }
            if (bytes.compareAndSet(now, now + want)) {
                return true;
            }
        }
    }

    /** Whether one more QoS 0 message of this connection may be queued ({@link #finished} gives it back). */
    boolean tryStartUnacknowledged(ConnectionPublishes connection) {
        return connection.tryStartUnacknowledged(qos0Pending);
    }

    /** A QoS 0 message counted by {@link #tryStartUnacknowledged} was refused before it was queued. */
    void unacknowledgedRefused(ConnectionPublishes connection) {
        connection.unacknowledgedFinished();
    }

    /**
     * Tells the device why a QoS 0 message of it (which has no PUBACK to carry a refusal) was dropped or not stored:
     * at most one error event a second per connection, so a flood is not answered with a flood.
     */
    void tellUnacknowledged(ConnectionPublishes connection, ServerEvent.Refusal event) {
        if (connection.mayTell()) {
            publisher.sendError(connection.clientId(), connection.sender().userId(), event);
        }
    }

    /**
     * Queues an admitted message whose bytes {@link #tryReserve} took: seq, store, then delivery in order and the
     * PUBACK released ({@code packetId} -1 for QoS 0, which has none).
     */
    void start(ConnectionPublishes connection, int packetId, String topic, OutgoingMessage message,
               MessageAcceptor.Admitted admitted, int payloadBytes) {
        InFlightMessage m = new InFlightMessage(connection, packetId, topic, message, payloadBytes + OVERHEAD_BYTES);
        messages.incrementAndGet();
        connection.started(m);
        long deadline = m.startNanos + storeTimeout.toNanos();
        acceptor.store(connection.sender(), admitted, message, deadline, m)
                .orTimeout(storeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((accepted, error) -> {
                    try {
                        if (error == null) {
                            stored(m, accepted);
                        } else {
                            notStored(m, error);
                        }
                    } catch (RuntimeException e) {
                        log.warn("mqchat: completing message {} of {} failed: {}", message.cid(),
                                connection.clientId(), e.toString());
                        connection.failed(m, reason(ProtocolError.STORAGE_UNAVAILABLE, message.cid(), "server error"));
                    }
                }, callbacks);
    }

    /** Where newly stored messages are also told (the webhooks); it must only queue, never wait. */
    public void storedTo(Consumer<ChatMessage> listener) {
        this.storedListener = listener;
    }

    private void stored(InFlightMessage m, MessageAcceptor.Accepted accepted) {
        acceptTimer.record(System.nanoTime() - m.startNanos, TimeUnit.NANOSECONDS);
        if (!accepted.duplicate()) {
            try {
                storedListener.accept(accepted.message());
            } catch (RuntimeException e) {
                log.debug("mqchat: telling the webhooks about {} failed: {}", accepted.message().id(), e.toString());
            }
        }
        metrics.counter("mqchat.messages.accepted", "duplicate", Boolean.toString(accepted.duplicate())).increment();
        m.stored(accepted);
        if (m.acknowledged() && !m.isHeld()) {
            // its PUBACK should come soon; should it not, do not make later seqs of the conversation wait for it
            m.overdueCheck(timers.schedule(m::stopWaitingForPuback, storeTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private void notStored(InFlightMessage m, Throwable error) {
        Throwable cause = ChatPublishInterceptor.cause(error);
        ConnectionPublishes connection = m.connection;
        ProtocolException refused = cause instanceof ProtocolException p ? p
                : new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE, cause instanceof TimeoutException
                ? "not stored within " + storeTimeout.toMillis() + " ms" : "not stored (" + cause.getClass().getSimpleName()
                + ")", m.message.cid());
        metrics.counter("mqchat.messages.refused", "code", refused.error().code()).increment();
        if (!(cause instanceof ProtocolException)) {
            health.failed(cause);
            log.debug("mqchat: message {} of {} not stored: {}", m.message.cid(), connection.clientId(), cause.toString());
        }
        if (!m.acknowledged()) {
            m.failed();
            tellUnacknowledged(connection, ServerEvent.Refusal.ofPublish(refused.cid(), refused.error(), refused.getMessage(), m.topic));
            return;
        }
        connection.failed(m, reason(refused.error(), m.message.cid(), refused.getMessage()));
    }

    private static String reason(ProtocolError error, String cid, String detail) {
        return new ProtocolException(error, "message '" + cid + "' " + detail
                + "; reconnect and resend it with the same cid").reasonString();
    }

    /**
     * Publishes a stored message to its topic, the sender's other devices and the other nodes. Completes once HiveMQ
     * queued it for this node's subscribers (at most the store timeout later): the PUBACK waits for that, so a
     * sender cannot outrun its messages' fan-out, as with a plain broker.
     */
    CompletableFuture<?> deliver(InFlightMessage m) {
        MessageAcceptor.Accepted accepted = m.accepted();
        String id = accepted.message().id();
        try {
            // A resend of a stored message is delivered again (its sender learns id and seq from the copy), to
            // where the original went: a cid reused for another recipient must not show them the original.
            String topic = accepted.duplicate() ? ServerPublisher.topicOf(accepted.message()) : m.topic;
            return publisher.deliverStored(topic, accepted.message(), m.connection.sender().userId())
                    .orTimeout(storeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // stored: devices get it by sync
            log.warn("mqchat: delivery of {} failed: {}", id, e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A message left the pipeline (delivered or failed). */
    void finished(InFlightMessage m) {
        messages.decrementAndGet();
        bytes.addAndGet(-m.bytes);
        if (!m.acknowledged()) {
            m.connection.unacknowledgedFinished();
        }
    }

    /** Fails a held message that was not released long before its hold runs out (which would send success). */
    java.util.concurrent.Future<?> watch(InFlightMessage m) {
        long millis = holdTimeout.minusSeconds(10).toMillis();
        return timers.schedule(() -> {
            if (!m.isReleased()) {
                log.warn("mqchat: PUBACK of {} from {} still held after {} ms; closing the connection",
                        m.message.cid(), m.connection.clientId(), millis);
                m.connection.failed(m, reason(ProtocolError.STORAGE_UNAVAILABLE, m.message.cid(), "not delivered in time"));
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** Closes a client's connection because a message of it was not stored. */
    CompletableFuture<Boolean> disconnect(String clientId, String reason) {
        disconnects.increment();
        log.debug("mqchat: disconnecting {}: {}", clientId, reason);
        try {
            return clients.disconnectClient(clientId, true, DisconnectReasonCode.UNSPECIFIED_ERROR, reason)
                    .exceptionally(e -> {
                        log.warn("mqchat: could not disconnect {}: {}", clientId, e.toString());
                        return false;
                    });
        } catch (RuntimeException e) {
            log.warn("mqchat: could not disconnect {}: {}", clientId, e.toString());
            return CompletableFuture.completedFuture(false);
        }
    }
}
