package io.mqchat.broker.ingest;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.ModifiablePublishPacket;
import com.hivemq.extension.sdk.api.services.Services;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.requests.DeviceRequests;
import io.mqchat.broker.session.ConnectionLogin;
import io.mqchat.broker.session.PubrecGuard;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.MessageParser;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Every chat publish: validate, decide, queue. The decision (parse, rate, recipient, membership) is made at once
 * from caches where it can be, so HiveMQ's per-client queue moves on to the next publish while this one is being
 * stored; the broker's own delivery is always prevented, and the PUBACK is held until the message is stored and
 * delivered ({@link PublishPipeline}). Only a cache miss makes the decision wait (the publish is then held until
 * the lookup answered, not until it is stored).
 *
 * <p>Refusals: MQTT 5 clients get a PUBACK reason code and a reason string {@code "code: detail"}.
 * MQTT 3.1.1 has no negative PUBACK: an invalid message is dropped with an error event on the sending
 * device's inbox; a store that is down closes the connection, which is 3.1.1's only way to say "not stored".
 */
public final class ChatPublishInterceptor implements PublishInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ChatPublishInterceptor.class);

    private final MessageParser parser;
    private final MessageAcceptor acceptor;
    private final PublishPipeline pipeline;
    private final ServerPublisher publisher;
    private final Duration storeTimeout;
    private final Executor callbacks;
    private final MeterRegistry metrics;
    private final DeviceRequests requests;
    private final PubackHold pubacks;
    private final SignalRelay signals;

    /**
     * @param publisher sender copies, events, and the hand-over of deliveries to other broker nodes
     * @param requests  the request/response handlers of {@code chat/req}
     */
    public ChatPublishInterceptor(MessageParser parser, MessageAcceptor acceptor, PublishPipeline pipeline,
                                  ServerPublisher publisher, DeviceRequests requests, Duration storeTimeout,
                                  Executor callbacks, MeterRegistry metrics) {
        this.parser = parser;
        this.acceptor = acceptor;
        this.pipeline = pipeline;
        this.publisher = publisher;
        this.requests = requests;
        this.storeTimeout = storeTimeout;
        this.callbacks = callbacks;
        this.metrics = metrics;
        this.pubacks = new PubackHold(pipeline);
        this.signals = new SignalRelay(acceptor.users(), acceptor.consent(), acceptor.groups(), publisher,
                Clock.systemUTC());
    }

    /**
     * Gives a new connection its publish interceptors: this one, and the one that holds its PUBACKs until their
     * messages are stored. Both are shared by all connections; a connection's state is made at its first publish.
     */
    public void attach(ClientContext context) {
        context.addPublishInboundInterceptor(this);
        context.addPubackOutboundInterceptor(pubacks);
    }

    @Override
    public void onInboundPublish(@NotNull PublishInboundInput input, @NotNull PublishInboundOutput output) {
        try {
            intercept(input, output);
        } catch (RuntimeException e) {
            // A bug must never end in a success PUBACK for something not stored: refuse (3.1.1: disconnect).
            log.warn("mqchat: publish of {} to {} failed unexpectedly, refused: {}",
                    input.getClientInformation().getClientId(), output.getPublishPacket().getTopic(), e.toString());
            metrics.counter("mqchat.messages.refused", "code", "unexpected").increment();
            output.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR,
                    ProtocolError.STORAGE_UNAVAILABLE.code() + ": not stored (server error); retry with the same cid");
        }
    }

    private void intercept(PublishInboundInput input, PublishInboundOutput output) {
        if (input.getPublishPacket().getQos() == Qos.EXACTLY_ONCE) {
            // never stored: HiveMQ answers QoS 2 resends without us, so a PUBREC cannot mean stored (PubrecGuard)
            output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, PubrecGuard.REASON);
            PubrecGuard.disconnect(Services.clientService(), input.getClientInformation().getClientId());
            return;
        }
        ConnectionPublishes connection = pipeline.publishesOf(input.getConnectionInformation(),
                input.getClientInformation().getClientId());
        ModifiablePublishPacket packet = output.getPublishPacket();
        String clientIdText = connection.clientId();
        boolean mqtt5 = connection.mqtt5();
        ClientId sender = connection.sender();
        if (DeviceRequests.isRequestTopic(packet.getTopic())) {
            handleRequest(packet, output, mqtt5, clientIdText, sender, input);
            return;
        }
        if (packet.getTopic().startsWith(Topics.SIGNAL_PREFIX)) {
            handleSignal(packet, output, connection);
            return;
        }
        Optional<Topics.ChatTopic> target = Topics.parseChatTopic(packet.getTopic());
        if (target.isEmpty()) {
            // Refused here rather than by the authorizer, which would disconnect the client.
            refuse(output, new ProtocolException(ProtocolError.INVALID_TOPIC, "clients publish chat messages to "
                    + Topics.INBOX_PREFIX + "{userId} or " + Topics.GROUP_PREFIX + "{groupId} only"), mqtt5,
                    clientIdText, sender, packet.getTopic());
            return;
        }
        ByteBuffer payload = packet.getPayload().orElse(null);
        OutgoingMessage message;
        try {
            message = parser.parse(payload, sender.userId(), target.get().id(),
                    packet.getUserProperties().getFirst("cid").orElse(null));
        } catch (ProtocolException e) {
            refuse(output, e, mqtt5, clientIdText, sender, packet.getTopic());
            return;
        }
        boolean qos0 = packet.getQos() == Qos.AT_MOST_ONCE;
        int payloadBytes = payload == null ? 0 : payload.remaining();
        Optional<ProtocolException> refusal = pipeline.refusal(connection, payloadBytes, message.cid(), qos0);
        if (refusal.isPresent() && qos0) {
            // nothing to answer: dropped, and the device told (at most once a second)
            output.preventPublishDelivery();
            metrics.counter("mqchat.messages.refused", "code", refusal.get().error().code()).increment();
            pipeline.tellUnacknowledged(connection, ServerEvent.Refusal.ofPublish(message.cid(), refusal.get().error(),
                    refusal.get().getMessage(), packet.getTopic()));
            return;
        }
        if (refusal.isPresent()) {
            refuseForNow(output, refusal.get(), reasonCodeFor(refusal.get().error()));
            return;
        }
        if (!qos0 && connection.holds(packet.getPacketId())) {
            refuseForNow(output, new ProtocolException(ProtocolError.INVALID_FIELD, "packet id " + packet.getPacketId()
                    + " is in use by a publish not yet acknowledged", message.cid()), AckReasonCode.PACKET_IDENTIFIER_IN_USE);
            return;
        }
        if (qos0) {
            acceptUnacknowledged(output, connection, target.get(), message, packet.getTopic(), payloadBytes);
            return;
        }
        int packetId = packet.getPacketId();
        String topic = packet.getTopic();
        CompletableFuture<MessageAcceptor.Admitted> admission = acceptor.admit(sender, connection.service(), target.get(), message);
        if (admission.isDone()) {
            decide(output, connection, packetId, topic, message, payloadBytes, admission);
            return;
        }
        // a cache miss: hold this publish (and the connection's queue) until the lookup answered
        Async<PublishInboundOutput> async = output.async(storeTimeout, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, ProtocolError.STORAGE_UNAVAILABLE.code()
                        + ": not checked within " + storeTimeout.toMillis() + " ms; retry with the same cid");
        admission.whenCompleteAsync((admitted, error) -> {
            try {
                if (async.getStatus() == Async.Status.RUNNING) {
                    decide(output, connection, packetId, topic, message, payloadBytes, admission);
                }
            } finally {
                async.resume();
            }
        }, callbacks);
    }

    /** Queues an admitted message (its PUBACK will be held) or refuses it. */
    private void decide(PublishInboundOutput output, ConnectionPublishes connection, int packetId, String topic,
                        OutgoingMessage message, int payloadBytes,
                        CompletableFuture<MessageAcceptor.Admitted> admission) {
        MessageAcceptor.Admitted admitted;
        try {
            admitted = admission.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = cause(e);
            if (!(cause instanceof ProtocolException)) {
                log.debug("mqchat: check of {} from {} failed: {}", message.cid(), connection.clientId(), cause.toString());
            }
            if (cause instanceof ProtocolException refused) {
                refuse(output, refused, connection.mqtt5(), connection.clientId(), connection.sender(), topic);
            } else {
                refuseForNow(output, new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE,
                        "not stored (the check failed); retry with the same cid", message.cid()),
                        AckReasonCode.UNSPECIFIED_ERROR);
            }
            return;
        }
        if (!pipeline.tryReserve(payloadBytes)) {
            refuseForNow(output, new ProtocolException(ProtocolError.RATE_LIMITED,
                    "the server has too many messages in flight; retry with the same cid", message.cid()),
                    AckReasonCode.QUOTA_EXCEEDED);
            return;
        }
        output.preventPublishDelivery(); // the success PUBACK this leads to is held until the message is stored
        pipeline.start(connection, packetId, topic, message, admitted, payloadBytes);
    }

    /**
     * QoS 0: there is no acknowledgement to hold, so HiveMQ's queue for this client never waits, not even for a
     * lookup. The publish is dropped at once; the message is checked and stored in the background and the stored
     * envelope published by the server. At most {@code qos0Pending} of a connection's QoS 0 messages are in
     * flight at a time; more are shed and counted.
     */
    private void acceptUnacknowledged(PublishInboundOutput output, ConnectionPublishes connection,
                                      Topics.ChatTopic target, OutgoingMessage message, String topic, int payloadBytes) {
        output.preventPublishDelivery();
        if (!pipeline.tryStartUnacknowledged(connection)) {
            metrics.counter("mqchat.messages.refused", "code", "qos0_shed").increment();
            pipeline.tellUnacknowledged(connection, ServerEvent.Refusal.ofPublish(message.cid(), ProtocolError.RATE_LIMITED,
                    "QoS 0 messages arrive faster than they are stored; some were dropped (use QoS 1 to know)", topic));
            return;
        }
        CompletableFuture<MessageAcceptor.Admitted> admission = acceptor.admit(connection.sender(), connection.service(), target, message);
        if (admission.isDone()) {
            // here, not on another thread: seqs follow the connection's publish order
            admission.whenComplete((admitted, error) -> admitted(connection, message, topic, payloadBytes, admitted, error));
        } else {
            admission.whenCompleteAsync((admitted, error) ->
                    admitted(connection, message, topic, payloadBytes, admitted, error), callbacks);
        }
    }

    private void admitted(ConnectionPublishes connection, OutgoingMessage message, String topic, int payloadBytes,
                          MessageAcceptor.Admitted admitted, Throwable error) {
        if (error == null && pipeline.tryReserve(payloadBytes)) {
            pipeline.start(connection, -1, topic, message, admitted, payloadBytes);
            return;
        }
        pipeline.unacknowledgedRefused(connection);
        Throwable cause = error == null ? new ProtocolException(ProtocolError.RATE_LIMITED,
                "the server has too many messages in flight; some QoS 0 messages were dropped", message.cid())
                : cause(error);
        ProtocolException refused = cause instanceof ProtocolException p ? p
                : new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE,
                "not stored; retry with the same cid", message.cid());
        metrics.counter("mqchat.messages.refused", "code", refused.error().code()).increment();
        pipeline.tellUnacknowledged(connection, ServerEvent.Refusal.ofPublish(refused.cid(), refused.error(), refused.getMessage(), topic));
    }

    /**
     * A signal on {@code chat/e/...}: QoS 0 only (never stored, so there is no PUBACK that could mean stored), relayed
     * in the background; a refusal is told to the device, at most once a second.
     */
    private void handleSignal(ModifiablePublishPacket packet, PublishInboundOutput output, ConnectionPublishes connection) {
        String topic = packet.getTopic();
        Optional<Topics.ChatTopic> target = Topics.parseSignalTopic(topic);
        if (packet.getQos() != Qos.AT_MOST_ONCE) {
            refuse(output, new ProtocolException(ProtocolError.QOS_NOT_SUPPORTED, "signals on " + Topics.SIGNAL_PREFIX
                    + " are QoS 0: they are never stored, so nothing could be acknowledged"), connection.mqtt5(),
                    connection.clientId(), connection.sender(), topic);
            return;
        }
        output.preventPublishDelivery();
        if (target.isEmpty()) {
            tellSignalRefused(connection, new ProtocolException(ProtocolError.INVALID_TOPIC, "signals go to "
                    + Topics.SIGNAL_PREFIX + "{userId} or " + Topics.GROUP_SIGNAL_PREFIX + "{groupId}"), topic);
            return;
        }
        signals.relay(connection.sender(), connection.signals(), target.get(), packet.getPayload().orElse(null))
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        Throwable cause = cause(error);
                        tellSignalRefused(connection, cause instanceof ProtocolException p ? p
                                : new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE, "not relayed; try again"), topic);
                    }
                });
    }

    private void tellSignalRefused(ConnectionPublishes connection, ProtocolException refused, String topic) {
        metrics.counter("mqchat.signals.refused", "code", refused.error().code()).increment();
        pipeline.tellUnacknowledged(connection, ServerEvent.Refusal.ofPublish(null, refused.error(),
                refused.getMessage(), topic));
    }

    /** A request on {@code chat/req/{user}}: never stored or delivered; answered to this client only. */
    private void handleRequest(ModifiablePublishPacket packet, PublishInboundOutput output, boolean mqtt5,
                               String clientIdText, ClientId sender, PublishInboundInput input) {
        DeviceRequests handler = requests;
        String responseTopic = packet.getResponseTopic().orElse(null);
        DeviceRequests.Request request;
        try {
            request = handler.parse(sender, packet.getTopic(), packet.getPayload().orElse(null), responseTopic);
        } catch (ProtocolException e) {
            refuse(output, e, mqtt5, clientIdText, sender, packet.getTopic());
            return;
        }
        // the device's login time (token iat) for the history policy; unknown: as if it logged in now
        long loginAt = ConnectionLogin.of(input.getConnectionInformation().getConnectionAttributeStore())
                .map(ConnectionLogin::loginAt).orElse(System.currentTimeMillis());
        ByteBuffer correlation = packet.getCorrelationData().orElse(null);
        // requests cost store reads: they count against the account's publish rate like messages
        Async<PublishInboundOutput> async = output.async(storeTimeout, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, ProtocolError.STORAGE_UNAVAILABLE.code() + ": try again");
        acceptor.rate().take(sender.userId(), null).whenCompleteAsync((ignored, error) -> {
            try {
                Throwable cause = cause(error);
                if (cause instanceof ProtocolException refused) {
                    refuse(output, refused, mqtt5, clientIdText, sender, packet.getTopic());
                } else if (cause != null) {
                    output.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR,
                            ProtocolError.STORAGE_UNAVAILABLE.code() + ": try again");
                } else {
                    output.preventPublishDelivery(); // PUBACK success: accepted; the answer follows as a publish
                    handler.answer(clientIdText, sender, request, responseTopic, correlation, loginAt);
                }
            } finally {
                async.resume();
            }
        }, callbacks);
    }

    /**
     * A refusal the client should retry after (the store is down, too much in flight): MQTT 5 gets the code; a
     * 3.1.1 client is disconnected (HiveMQ closes the connection on an error code), its only "not stored".
     */
    private void refuseForNow(PublishInboundOutput output, ProtocolException e, AckReasonCode code) {
        metrics.counter("mqchat.messages.refused", "code", e.error().code()).increment();
        output.preventPublishDelivery(code, e.reasonString());
    }

    private void refuse(PublishInboundOutput output, ProtocolException e, boolean mqtt5, String clientId,
                        ClientId sender, String topic) {
        metrics.counter("mqchat.messages.refused", "code", e.error().code()).increment();
        if (mqtt5) {
            output.preventPublishDelivery(reasonCodeFor(e.error()), e.reasonString());
        } else {
            // 3.1.1: a reason code would close the connection; drop (PUBACK) and tell the device instead.
            output.preventPublishDelivery();
            publisher.sendError(clientId, sender.userId(), ServerEvent.Refusal.ofPublish(e.cid(), e.error(), e.getMessage(), topic));
        }
    }

    /** What failed, without the wrapper a dependent stage adds. */
    static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    static AckReasonCode reasonCodeFor(ProtocolError error) {
        return switch (error) {
            case PAYLOAD_TOO_LARGE, MALFORMED_PAYLOAD, MISSING_CID, INVALID_FIELD -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
            case FORGED_FIELD, NOT_AUTHORIZED, MUTED -> AckReasonCode.NOT_AUTHORIZED;
            case INVALID_TOPIC, UNKNOWN_RECIPIENT -> AckReasonCode.TOPIC_NAME_INVALID;
            case RATE_LIMITED -> AckReasonCode.QUOTA_EXCEEDED;
            case STORAGE_UNAVAILABLE -> AckReasonCode.UNSPECIFIED_ERROR;
            case QOS_NOT_SUPPORTED -> AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
        };
    }
}
