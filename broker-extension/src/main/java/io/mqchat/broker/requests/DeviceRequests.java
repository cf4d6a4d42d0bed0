package io.mqchat.broker.requests;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.PageSize;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.common.sync.SyncCursor;
import io.mqchat.common.sync.SyncEngine;
import io.mqchat.common.sync.SyncQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Requests a device publishes to {@code chat/req/{its user}} ({@code sync}, {@code recall} and {@code contacts}), answered with
 * {@link PublishService#publishToClient} to the requesting client only: to the MQTT 5 response topic if
 * one is given (only {@code chat/u/{user}} or {@code chat/res/{user}/{device}}), with its correlation data,
 * else to the inbox {@code chat/u/{user}}. A request is never stored or delivered to anyone.
 *
 * <p>Request: {@code {"op":"sync","rid":"r1","cursor":"...","conversations":{"d:a:b":12},"limit":200}}
 * ({@code rid}, {@code cursor}/{@code conversations} and {@code limit} optional). Response:
 * {@code {"type":"sync","rid":...,"messages":[...],"complete":{conv:seq},"cursor":"...","hasMore":bool,
 * "recalls":[{"conv","id","msgSeq","recalledAt"}],"left":[conv]}} (recalls since the cursor's last sync, at most
 * {@link SyncEngine#MAX_RECALLS}, about 10 KiB: within the packet limit with the messages' budget).
 * Sync honours the history policy of the requesting device type.
 *
 * <p>Contacts: {@code {"op":"contacts","sinceVersion":12,"limit":200,"rid":"r3"}} ({@link ContactChangeFeed}).
 * Answer: {@code {"type":"contact_changes","rid","changes":[...],"version","next","hasMore"}}, or an error event
 * of code {@value #CONTACTS_RELOAD} when the changes after that version are no longer kept (or it is newer than
 * the list).
 *
 * <p>Recall: {@code {"op":"recall","id":"<message id>","rid":"r2"}} ({@link MessageRecall}). Answer: the recall
 * event with the {@code rid}, {@code {"type":"recall","rid","conv","id","msgSeq","by","ts"}}; the same event
 * (without rid) goes to every device of sender and recipient. Refusals are error events with the {@code rid}
 * and code {@code unknown_message}, {@code not_authorized} (not your message) or {@code recall_window_passed}.
 */
public final class DeviceRequests {

    private static final Logger log = LoggerFactory.getLogger(DeviceRequests.class);
    /** What a sync request carries here besides {@link SyncQuery#FIELDS}. */
    private static final Set<String> OWN_FIELDS = Set.of("op", "rid");
    private static final Set<String> RECALL_FIELDS = Set.of("op", "rid", "id");
    private static final Set<String> CONTACTS_FIELDS = Set.of("op", "rid", "sinceVersion", "limit");

    /** Messages per MQTT sync page: default and maximum. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 200;
    private static final PageSize LIMITS = new PageSize(DEFAULT_LIMIT, MAX_LIMIT);
    /** Bytes of messages per response, below the 256 KiB packet limit, leaving room for the cursor. */
    public static final int MAX_MESSAGE_BYTES = 160 * 1024;

    private final SyncEngine engine;
    private final MessageRecall recall;
    private final ContactChangeFeed contacts;
    private final HistoryPolicy historyPolicy;
    private final Supplier<PublishService> publishService;
    private final ServerPublisher events;
    private final Executor readers;
    private final int maxRequestBytes;

    /** A parsed, authorized request. */
    public sealed interface Request {
        String rid();
    }

    /** {@code op: sync}; {@code recalls} null when no cursor was given (no recall list). */
    public record SyncRequest(String rid, Map<String, Long> positions, SyncCursor.RecallMark recalls, int limit)
            implements Request {
    }

    /** {@code op: recall}. */
    public record RecallRequest(String rid, String messageId) implements Request {
    }

    /** {@code op: contacts}: the contact changes after {@code sinceVersion}. */
    public record ContactsRequest(String rid, long sinceVersion, int limit) implements Request {
    }

    public DeviceRequests(SyncEngine engine, MessageRecall recall, ContactChangeFeed contacts,
                          HistoryPolicy historyPolicy, Supplier<PublishService> publishService, Executor readers,
                          int maxRequestBytes, ServerPublisher events) {
        this.events = events;
        this.engine = engine;
        this.recall = recall;
        this.contacts = contacts;
        this.historyPolicy = historyPolicy;
        this.publishService = publishService;
        this.readers = readers;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Whether a topic is a request topic (of anyone): such publishes never reach the chat pipeline. */
    public static boolean isRequestTopic(String topic) {
        return topic != null && topic.startsWith(Topics.REQUEST_PREFIX);
    }

    /**
     * Validates a request of {@code sender} on {@code topic} with an optional MQTT 5 response topic;
     * throws {@link ProtocolException} with the same codes as chat publishes.
     */
    public Request parse(ClientId sender, String topic, ByteBuffer payload, String responseTopic)
            throws ProtocolException {
        if (!topic.equals(Topics.request(sender.userId()))) {
            throw new ProtocolException(ProtocolError.NOT_AUTHORIZED,
                    "requests go to your own " + Topics.REQUEST_PREFIX + "{you} only");
        }
        if (responseTopic != null && !responseTopic.equals(Topics.inbox(sender.userId()))
                && !responseTopic.equals(Topics.response(sender.userId(), sender.deviceType()))) {
            throw new ProtocolException(ProtocolError.NOT_AUTHORIZED, "the response topic must be "
                    + Topics.inbox(sender.userId()) + " or " + Topics.response(sender.userId(), sender.deviceType()));
        }
        if (payload == null || payload.remaining() == 0) {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "a request is a JSON object");
        }
        if (payload.remaining() > maxRequestBytes) {
            throw new ProtocolException(ProtocolError.PAYLOAD_TOO_LARGE, "a request may have at most "
                    + maxRequestBytes + " bytes");
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "the request is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ProtocolError.MALFORMED_PAYLOAD, "a request is a JSON object");
        }
        JsonNode opNode = root.get("op");
        String op = opNode != null && opNode.isTextual() ? opNode.asText() : "";
        if (!op.equals("sync") && !op.equals("recall") && !op.equals("contacts")) {
            throw invalid("'op' must be \"sync\", \"recall\" or \"contacts\"");
        }
        if (!op.equals("sync")) {
            Set<String> known = op.equals("recall") ? RECALL_FIELDS : CONTACTS_FIELDS;
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!known.contains(field)) {
                    throw invalid("unknown field '" + (field.length() > 32 ? field.substring(0, 32) : field)
                            + "' for op " + op);
                }
            }
        }
        String rid = null;
        if (root.has("rid")) {
            JsonNode r = root.get("rid");
            if (!r.isTextual() || !Ids.isValidClientMessageId(r.asText())) {
                throw invalid("'rid' must be 1-64 printable ASCII characters without spaces");
            }
            rid = r.asText();
        }
        if (op.equals("recall")) {
            JsonNode id = root.get("id");
            if (id == null || !id.isTextual() || !Ids.isValidClientMessageId(id.asText())) {
                throw invalid("'id' must be the id of the message to recall");
            }
            return new RecallRequest(rid, id.asText());
        }
        if (op.equals("contacts")) {
            JsonNode since = root.get("sinceVersion");
            if (since == null || !since.canConvertToLong() || !since.isIntegralNumber() || since.asLong() < 0) {
                throw invalid("'sinceVersion' must be the version of your contact list you have (0 or more)");
            }
            JsonNode limit = root.get("limit");
            if (limit != null && (!limit.isInt() || limit.asInt() < 1 || limit.asInt() > ContactChangeFeed.MAX_LIMIT)) {
                throw invalid("'limit' must be 1-" + ContactChangeFeed.MAX_LIMIT);
            }
            return new ContactsRequest(rid, since.asLong(),
                    limit == null ? ContactChangeFeed.DEFAULT_LIMIT : limit.asInt());
        }
        SyncQuery query;
        try {
            query = SyncQuery.parse(root, OWN_FIELDS, sender.userId(), LIMITS);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        return new SyncRequest(rid, query.state().positions(), query.state().recalls(), query.limit());
    }

    private static ProtocolException invalid(String detail) {
        return new ProtocolException(ProtocolError.INVALID_FIELD, detail);
    }

    /**
     * Runs a parsed request on the reader threads and publishes the answer to the requesting client. A
     * failure (database down) is answered with an error event of code {@code storage_unavailable}.
     *
     * @param loginAtMs when the requesting device logged in (its token's {@code iat}), for the history policy
     */
    public CompletableFuture<Void> answer(String clientId, ClientId sender, Request request, String responseTopic,
                                          ByteBuffer correlationData, long loginAtMs) {
        String topic = responseTopic != null ? responseTopic : Topics.inbox(sender.userId());
        String op = request instanceof RecallRequest ? "recall" : request instanceof ContactsRequest ? "contacts" : "sync";
        return CompletableFuture.<ServerEvent>supplyAsync(() -> {
                    if (request instanceof SyncRequest sync) {
                        return response(sync.rid(), engine.sync(new SyncEngine.Request(sender.userId(),
                                sync.positions(), sync.limit(), MAX_MESSAGE_BYTES,
                                historyPolicy.visibility(sender.deviceType(), loginAtMs), sync.recalls())));
                    }
                    if (request instanceof ContactsRequest c) {
                        return contactChanges(sender, c);
                    }
                    return recall(sender, (RecallRequest) request);
                }, readers)
                .exceptionally(error -> {
                    log.warn("mqchat: {} for {} failed: {}", op, clientId, error.toString());
                    return refusal(request.rid(), ProtocolError.STORAGE_UNAVAILABLE.code(), op + " failed; try again",
                            sender);
                })
                .thenCompose(answer -> {
                    PublishBuilder publish = Builders.publish().topic(topic).qos(Qos.AT_LEAST_ONCE)
                            .payload(ByteBuffer.wrap(answer.toJsonBytes()))
                            .payloadFormatIndicator(PayloadFormatIndicator.UTF_8)
                            .contentType("application/json");
                    if (correlationData != null) {
                        publish.correlationData(correlationData);
                    }
                    Publish built = publish.build();
                    return publishService.get().publishToClient(built, clientId).thenApply(r -> (Void) null);
                })
                .exceptionally(e -> {
                    log.debug("mqchat: sync answer to {} not delivered: {}", clientId, e.toString());
                    return null;
                });
    }

    /** Recalls, tells both sides' devices, and returns the answer for the requesting device. */
    private ServerEvent recall(ClientId sender, RecallRequest request) {
        MessageRecall.Outcome outcome = recall.recall(sender.userId(), null, request.messageId());
        if (outcome instanceof MessageRecall.Recalled r) {
            r.announce(events::publishEvent); // every device of both sides (groups: every member's), the sender's too
            return r.event().answering(request.rid());
        }
        if (outcome instanceof MessageRecall.NotSender) {
            return refusal(request.rid(), ProtocolError.NOT_AUTHORIZED.code(), "only the sender may recall a message",
                    sender);
        }
        if (outcome instanceof MessageRecall.TooLate t) {
            return refusal(request.rid(), RECALL_WINDOW_PASSED, "a message can be recalled within "
                    + t.window().toSeconds() + " s of sending", sender);
        }
        return refusal(request.rid(), UNKNOWN_MESSAGE, "no such message", sender);
    }

    /** The contact changes since the version asked for, or a refusal saying to reload the whole list. */
    private ServerEvent contactChanges(ClientId sender, ContactsRequest request) {
        ContactChangeFeed.Outcome outcome = contacts.since(sender.userId(), request.sinceVersion(), request.limit());
        if (outcome instanceof ContactChangeFeed.Reload reload) {
            return refusal(request.rid(), CONTACTS_RELOAD, "reload your contacts: " + reload.why()
                    + "; GET /api/v1/contacts returns the whole list and its version", sender);
        }
        ContactChangeFeed.Page page = (ContactChangeFeed.Page) outcome;
        return new ServerEvent.ContactChanges(request.rid(),
                page.changes().stream().map(ContactChangeFeed.Change::event).toList(), page.version(), page.next(),
                page.hasMore());
    }

    /** The refusal code of a contacts request whose version cannot be continued from (REST: 410 of that code). */
    public static final String CONTACTS_RELOAD = "contacts_reload";

    /** Error codes of recall answers (besides {@code not_authorized} and {@code storage_unavailable}). */
    public static final String UNKNOWN_MESSAGE = "unknown_message";
    public static final String RECALL_WINDOW_PASSED = "recall_window_passed";

    private static ServerEvent refusal(String rid, String code, String reason, ClientId sender) {
        return ServerEvent.Refusal.ofRequest(rid, code, reason, Topics.request(sender.userId()));
    }

    static ServerEvent.Sync response(String rid, SyncEngine.Result result) {
        return new ServerEvent.Sync(rid, result.messages(), result.complete(), result.cursor(), result.hasMore(),
                result.retryAfterMs(), result.recalls(), result.left());
    }
}
