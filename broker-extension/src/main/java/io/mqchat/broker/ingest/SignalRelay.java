package io.mqchat.broker.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.groups.GroupMembership;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Short-lived signals (typing, ...) on {@code chat/e/{peer}} and {@code chat/e/g/{group}}: never stored, QoS 0,
 * relayed as a {@link ServerEvent.Signal} with the sender set by the server to the peer's signal topic or the group's,
 * where the server subscribed their devices. A signal goes where a message may: to a registered user who takes the
 * sender's direct messages ({@link DirectMessageConsent}: not blocked, contacts only if so set), or into a
 * group the sender is a member of and not muted in. Each connection may send {@link SignalRate#PER_SECOND} a
 * second; what is over that, or refused, is dropped (the device told at most once a second).
 */
final class SignalRelay {

    /** A signal is a type and a state, not content: anything larger is refused. */
    static final int MAX_PAYLOAD_BYTES = 1_024;
    static final int MAX_DATA_BYTES = 256;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final UserDirectory users;
    private final DirectMessageConsent consent;
    private final GroupMembership groups;
    private final ServerPublisher publisher;
    private final Clock clock;

    SignalRelay(UserDirectory users, DirectMessageConsent consent, GroupMembership groups, ServerPublisher publisher,
                Clock clock) {
        this.users = users;
        this.consent = consent;
        this.groups = groups;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** What a signal says, read from its payload. */
    record Parsed(String signal, String state, JsonNode data) {
    }

    /** Reads and checks a signal's payload; throws {@link ProtocolException} saying what is wrong. */
    static Parsed parse(ByteBuffer payload) throws ProtocolException {
        if (payload == null || payload.remaining() == 0) {
            throw invalid(ProtocolError.MALFORMED_PAYLOAD, "a signal is a JSON object such as {\"type\":\"typing\","
                    + "\"state\":\"start\"}");
        }
        if (payload.remaining() > MAX_PAYLOAD_BYTES) {
            throw invalid(ProtocolError.PAYLOAD_TOO_LARGE, "a signal may have up to " + MAX_PAYLOAD_BYTES + " bytes");
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw invalid(ProtocolError.MALFORMED_PAYLOAD, "a signal is a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw invalid(ProtocolError.MALFORMED_PAYLOAD, "a signal is a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual() || !NAME.matcher(type.asText()).matches()) {
            throw invalid(ProtocolError.INVALID_FIELD, "'type' must be a signal name such as \"typing\" (lower-case "
                    + "letters, digits and '_', up to 32)");
        }
        JsonNode state = node.get("state");
        if (state != null && !state.isNull() && (!state.isTextual() || !NAME.matcher(state.asText()).matches())) {
            throw invalid(ProtocolError.INVALID_FIELD, "'state' must be a name such as \"start\" or \"stop\"");
        }
        JsonNode data = node.get("data");
        if (data != null && !data.isNull() && data.toString().length() > MAX_DATA_BYTES) {
            throw invalid(ProtocolError.PAYLOAD_TOO_LARGE, "'data' may have up to " + MAX_DATA_BYTES + " characters");
        }
        return new Parsed(type.asText(), state == null || state.isNull() ? null : state.asText(),
                data == null || data.isNull() ? null : data);
    }

    /**
     * Relays a signal of {@code sender}; completes when it was handed to the broker, exceptionally with a
     * {@link ProtocolException} when it is refused.
     */
    CompletableFuture<Void> relay(ClientId sender, SignalRate rate, Topics.ChatTopic target, ByteBuffer payload) {
        if (!rate.tryTake(System.nanoTime())) {
            return CompletableFuture.failedFuture(invalid(ProtocolError.RATE_LIMITED, "a device may send "
                    + SignalRate.PER_SECOND + " signals a second (burst " + SignalRate.BURST + "); the rest were dropped"));
        }
        Parsed signal;
        try {
            signal = parse(payload);
        } catch (ProtocolException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (target.kind() == Topics.Kind.GROUP) {
            return groups.snapshot(target.id()).thenAccept(snapshot -> {
                GroupMember me = snapshot.map(g -> g.members().get(sender.userId())).orElse(null);
                if (me == null) {
                    throw new CompletionException(invalid(ProtocolError.NOT_AUTHORIZED,
                            "you are not a member of group '" + target.id() + "'"));
                }
                if (me.mutedAt(clock.instant()) || (snapshot.get().mutedAll() && !me.isAdmin())) {
                    throw new CompletionException(invalid(ProtocolError.MUTED, "you may not speak in this group now"));
                }
                publish(Topics.groupSignals(target.id()), sender, ConversationId.group(target.id()), signal);
            });
        }
        String peer = target.id();
        if (peer.equals(sender.userId())) {
            return CompletableFuture.failedFuture(invalid(ProtocolError.INVALID_TOPIC,
                    "signals go to another user (chat/e/{peer}) or a group (chat/e/g/{group})"));
        }
        return users.find(peer).thenCompose(recipient -> {
            if (recipient != UserDirectory.Recipient.REGISTERED) {
                throw new CompletionException(invalid(ProtocolError.UNKNOWN_RECIPIENT, "no user '" + peer + "'"));
            }
            return consent.refusal(sender.userId(), peer);
        }).thenAccept(refusal -> {
            if (refusal.isPresent()) {
                throw new CompletionException(invalid(ProtocolError.NOT_AUTHORIZED, refusal.get()));
            }
            publish(Topics.signals(peer), sender, ConversationId.direct(sender.userId(), peer), signal);
        });
    }

    private void publish(String topic, ClientId sender, ConversationId conv, Parsed signal) {
        publisher.publishSignal(topic, new ServerEvent.Signal(signal.signal(), signal.state(), sender.userId(),
                sender.deviceType(), conv.toString(), clock.millis(), signal.data()).toJson());
    }

    private static ProtocolException invalid(ProtocolError error, String detail) {
        return new ProtocolException(error, detail, null);
    }
}
