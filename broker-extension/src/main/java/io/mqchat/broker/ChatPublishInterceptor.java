package io.mqchat.broker;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.ModifiablePublishPacket;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ErrorEvent;
import io.mqchat.common.protocol.MessageParser;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import com.hivemq.extension.sdk.api.services.Services;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Every chat publish: validate → (recipient, seq, store) → enrich → deliver. The PUBACK waits for the
 * asynchronous output, so it is sent only after MongoDB acknowledged the message. The stored, enriched
 * message replaces the client's payload for the recipient's inbox, and a copy goes to all of the sender's
 * devices so that the sending device learns id and seq.
 *
 * <p>Refusals: MQTT 5 clients get a PUBACK reason code and a reason string {@code "code: detail"}.
 * MQTT 3.1.1 has no negative PUBACK: an invalid message is dropped with an error event on the sending
 * device's inbox; a storage failure closes the connection, which is 3.1.1's only way to say "not stored".
 */
public final class ChatPublishInterceptor implements PublishInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ChatPublishInterceptor.class);

    private final MessageParser parser;
    private final MessageAcceptor acceptor;
    private final ServerPublisher publisher;
    private final Duration storeTimeout;
    private final Executor callbacks;
    private final MeterRegistry metrics;
    private final Timer acceptTimer;
    private final Duration recallWindow;
    private final HistoryPolicy historyPolicy;
    private volatile SyncRequests requests;
    private final UnacknowledgedPublishes unacknowledged;

    /**
     * @param publisher   sender copies, events, and the hand-over of deliveries to other broker nodes
     * @param qos0Pending how many QoS 0 messages of one connection may be being stored at once
     */
    public ChatPublishInterceptor(MessageParser parser, MessageAcceptor acceptor, ServerPublisher publisher,
                                  Duration storeTimeout, Duration recallWindow, HistoryPolicy historyPolicy,
                                  int qos0Pending, Executor callbacks, MeterRegistry metrics) {
        this.recallWindow = recallWindow;
        this.historyPolicy = historyPolicy;
        this.parser = parser;
        this.acceptor = acceptor;
        this.publisher = publisher;
        this.storeTimeout = storeTimeout;
        this.callbacks = callbacks;
        this.metrics = metrics;
        this.unacknowledged = new UnacknowledgedPublishes(qos0Pending, Duration.ofSeconds(1));
        this.acceptTimer = Timer.builder("mqchat.publish.accept")
                .description("chat publish received to stored (what the PUBACK waits for)")
                .publishPercentiles(0.5, 0.99).register(metrics);
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
        ModifiablePublishPacket packet = output.getPublishPacket();
        String clientIdText = input.getClientInformation().getClientId();
        boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        Optional<ClientId> sender = ClientId.parse(clientIdText);
        if (sender.isEmpty()) { // cannot happen after authentication; refuse rather than trust
            output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "not_authorized: unknown client");
            return;
        }
        if (SyncRequests.isRequestTopic(packet.getTopic())) {
            handleRequest(packet, output, mqtt5, clientIdText, sender.get(), input);
            return;
        }
        Optional<Topics.ChatTopic> target = Topics.parseChatTopic(packet.getTopic());
        if (target.isEmpty()) {
            // Refused here rather than by the authorizer, which would disconnect the client.
            refuse(output, new ProtocolException(ProtocolError.INVALID_TOPIC, "clients publish chat messages to "
                    + Topics.INBOX_PREFIX + "{userId} or " + Topics.GROUP_PREFIX + "{groupId} only"), mqtt5,
                    clientIdText, sender.get(), packet.getTopic());
            return;
        }
        OutgoingMessage message;
        try {
            message = parser.parse(packet.getPayload().orElse(null), sender.get().userId(), target.get().id(),
                    packet.getUserProperties().getFirst("cid").orElse(null));
        } catch (ProtocolException e) {
            refuse(output, e, mqtt5, clientIdText, sender.get(), packet.getTopic());
            return;
        }
        if (packet.getQos() == Qos.AT_MOST_ONCE) {
            acceptUnacknowledged(output, clientIdText, sender.get(), target.get(), message, packet.getTopic());
            return;
        }
        long start = System.nanoTime();
        long deadline = start + storeTimeout.toNanos();
        Async<PublishInboundOutput> async = output.async(storeTimeout, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, ProtocolError.STORAGE_UNAVAILABLE.code()
                        + ": not stored within " + storeTimeout.toMillis() + " ms; retry with the same cid");
        acceptor.accept(sender.get(), target.get(), message, deadline).whenCompleteAsync((accepted, error) -> {
            try {
                if (error == null && async.getStatus() != Async.Status.RUNNING) {
                    // Timed out: the client was told "not stored" and will retry with the same cid, which
                    // finds this message and delivers it then. Delivering now would contradict that answer.
                    log.debug("mqchat: message {} of {} stored after its publish timed out", message.cid(), clientIdText);
                } else if (error == null) {
                    acceptTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    deliver(output.getPublishPacket(), accepted.message(), sender.get());
                    metrics.counter("mqchat.messages.accepted", "duplicate", Boolean.toString(accepted.duplicate()))
                            .increment();
                } else {
                    Throwable cause = cause(error);
                    if (cause instanceof ProtocolException refused) {
                        refuse(output, refused, mqtt5, clientIdText, sender.get(), packet.getTopic());
                    } else {
                        log.warn("mqchat: message {} from {} not stored: {}", message.cid(), clientIdText,
                                cause.toString());
                        metrics.counter("mqchat.messages.refused", "code", ProtocolError.STORAGE_UNAVAILABLE.code())
                                .increment();
                        output.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR,
                                ProtocolError.STORAGE_UNAVAILABLE.code() + ": not stored; retry with the same cid");
                    }
                }
            } catch (RuntimeException e) {
                log.warn("mqchat: failed to complete publish {} of {}: {}", message.cid(), clientIdText, e.toString());
                if (error == null) {
                    // stored: acknowledge it, but deliver nothing half-built (devices get it by sync)
                    output.preventPublishDelivery();
                } else {
                    output.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR,
                            ProtocolError.STORAGE_UNAVAILABLE.code() + ": not stored; retry with the same cid");
                }
            } finally {
                async.resume();
            }
        }, callbacks);
    }

    /**
     * QoS 0: there is no acknowledgement to hold, so HiveMQ's queue for this client must not wait for the store
     * either (a QoS 0 flood would pile up in the broker's memory). The publish is dropped at once; the message is
     * stored in the background and the stored envelope is published by the server. At most
     * {@code qos0Pending} of a connection's QoS 0 messages are being stored at a time; more are shed and counted.
     */
    private void acceptUnacknowledged(PublishInboundOutput output, String clientId, ClientId sender,
                                      Topics.ChatTopic target, OutgoingMessage message, String topic) {
        output.preventPublishDelivery();
        if (!unacknowledged.tryStart(clientId)) {
            metrics.counter("mqchat.messages.refused", "code", "qos0_shed").increment();
            if (unacknowledged.mayTell(clientId)) {
                publisher.sendError(clientId, sender.userId(), new ErrorEvent(message.cid(), ProtocolError.RATE_LIMITED,
                        "QoS 0 messages arrive faster than they are stored; some were dropped (use QoS 1 to know)",
                        topic));
            }
            return;
        }
        acceptor.accept(sender, target, message, System.nanoTime() + storeTimeout.toNanos())
                .whenCompleteAsync((accepted, error) -> {
                    unacknowledged.finished(clientId);
                    try {
                        if (error == null) {
                            metrics.counter("mqchat.messages.accepted", "duplicate",
                                    Boolean.toString(accepted.duplicate())).increment();
                            publisher.deliverStored(topic, accepted.message(), sender.userId());
                            return;
                        }
                        Throwable cause = cause(error);
                        ProtocolException refused = cause instanceof ProtocolException p ? p
                                : new ProtocolException(ProtocolError.STORAGE_UNAVAILABLE,
                                "not stored; retry with the same cid", message.cid());
                        metrics.counter("mqchat.messages.refused", "code", refused.error().code()).increment();
                        if (unacknowledged.mayTell(clientId)) {
                            publisher.sendError(clientId, sender.userId(),
                                    new ErrorEvent(refused.cid(), refused.error(), refused.getMessage(), topic));
                        }
                    } catch (RuntimeException e) {
                        log.warn("mqchat: QoS 0 message {} of {} not completed: {}", message.cid(), clientId, e.toString());
                    }
                }, callbacks);
    }

    /** A request on {@code chat/req/{user}}: never stored or delivered; answered to this client only. */
    private void handleRequest(ModifiablePublishPacket packet, PublishInboundOutput output, boolean mqtt5,
                               String clientIdText, ClientId sender, PublishInboundInput input) {
        SyncRequests handler = requests();
        String responseTopic = packet.getResponseTopic().orElse(null);
        SyncRequests.Request request;
        try {
            request = handler.parse(sender, packet.getTopic(), packet.getPayload().orElse(null), responseTopic);
        } catch (ProtocolException e) {
            refuse(output, e, mqtt5, clientIdText, sender, packet.getTopic());
            return;
        }
        // the device's login time (token iat) for the history policy; unknown: as if it logged in now
        long loginAt = input.getConnectionInformation().getConnectionAttributeStore()
                .getAsString(TokenAuthenticator.LOGIN_AT_ATTRIBUTE).map(Long::parseLong)
                .orElse(System.currentTimeMillis());
        ByteBuffer correlation = packet.getCorrelationData().orElse(null);
        // requests cost store reads: they count against the account's publish rate like messages
        Async<PublishInboundOutput> async = output.async(storeTimeout, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, ProtocolError.STORAGE_UNAVAILABLE.code() + ": try again");
        acceptor.withinRate(sender, null).whenCompleteAsync((ignored, error) -> {
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

    private SyncRequests requests() {
        SyncRequests current = requests;
        if (current == null) {
            MessageStore store = acceptor.store();
            current = new SyncRequests(store.syncEngine(storeTimeout.plus(SyncEngine.DEFAULT_MARGIN),
                    acceptor.groups().directory()),
                    store.recall(recallWindow, acceptor.groups().directory()), historyPolicy, Services::publishService, store.readers(),
                    SyncCursor.MAX_TEXT + 1024, publisher);
            requests = current;
        }
        return current;
    }

    /**
     * Replaces the client's payload with the stored envelope and sends the sender's devices their copy; both
     * also go to the other broker nodes' devices.
     */
    private void deliver(ModifiablePublishPacket packet, ChatMessage stored, ClientId sender) {
        byte[] json = stored.toJsonBytes();
        packet.setPayload(ByteBuffer.wrap(json));
        packet.setRetain(false); // a retained chat message would be replayed on every subscribe
        packet.setPayloadFormatIndicator(PayloadFormatIndicator.UTF_8);
        packet.setContentType("application/json");
        packet.getUserProperties().clear();
        packet.getUserProperties().addUserProperty("id", stored.id());
        packet.getUserProperties().addUserProperty("conv", stored.conv());
        packet.getUserProperties().addUserProperty("seq", Long.toString(stored.seq()));
        // a group message goes to every subscribed member device, the sender's included; a direct one to
        // the peer's inbox, with a copy to the sender's devices
        publisher.senderCopy(sender.userId(), stored, json);
        publisher.delivered(packet.getTopic(), json);
    }

    private void refuse(PublishInboundOutput output, ProtocolException e, boolean mqtt5, String clientId,
                        ClientId sender, String topic) {
        metrics.counter("mqchat.messages.refused", "code", e.error().code()).increment();
        if (mqtt5) {
            output.preventPublishDelivery(reasonCodeFor(e.error()), e.reasonString());
        } else {
            // 3.1.1: a reason code would close the connection; drop (PUBACK) and tell the device instead.
            output.preventPublishDelivery();
            publisher.sendError(clientId, sender.userId(), new ErrorEvent(e.cid(), e.error(), e.getMessage(), topic));
        }
    }

    /** What failed, without the wrapper a dependent stage adds. */
    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    static AckReasonCode reasonCodeFor(ProtocolError error) {
        return switch (error) {
            case PAYLOAD_TOO_LARGE, MALFORMED_PAYLOAD, MISSING_CID, INVALID_FIELD -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
            case FORGED_FIELD, NOT_AUTHORIZED, MUTED -> AckReasonCode.NOT_AUTHORIZED;
            case INVALID_TOPIC, UNKNOWN_RECIPIENT -> AckReasonCode.TOPIC_NAME_INVALID;
            case RATE_LIMITED -> AckReasonCode.QUOTA_EXCEEDED;
            case STORAGE_UNAVAILABLE -> AckReasonCode.UNSPECIFIED_ERROR;
        };
    }
}
