package io.mqchat.common.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Events the server sends to inboxes next to chat messages. A chat message always has a {@code seq}; an
 * event never has one and says what it is in {@code type}. Clients ignore types they do not know. The
 * server writes these records and clients read them with the one {@link Json#MAPPER}: one shape on both
 * sides.
 */
// requireTypeIdForSubtypes false: REST answers the sync page as the same record without a type
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type",
        requireTypeIdForSubtypes = OptBoolean.FALSE)
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerEvent.Kick.class, name = ServerEvent.KICK),
        @JsonSubTypes.Type(value = ServerEvent.Read.class, name = ServerEvent.READ),
        @JsonSubTypes.Type(value = ServerEvent.Recall.class, name = ServerEvent.RECALL),
        @JsonSubTypes.Type(value = ServerEvent.GroupInvitation.class, name = ServerEvent.GROUP_INVITATION),
        @JsonSubTypes.Type(value = ServerEvent.GroupJoinRequest.class, name = ServerEvent.GROUP_JOIN_REQUEST),
        @JsonSubTypes.Type(value = ServerEvent.Refusal.class, name = ServerEvent.ERROR),
        @JsonSubTypes.Type(value = ServerEvent.Sync.class, name = ServerEvent.SYNC),
        @JsonSubTypes.Type(value = ServerEvent.Signal.class, name = ServerEvent.SIGNAL),
        @JsonSubTypes.Type(value = ServerEvent.Contact.class, name = ServerEvent.CONTACT),
        @JsonSubTypes.Type(value = ServerEvent.ContactChanges.class, name = ServerEvent.CONTACT_CHANGES)})
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface ServerEvent {

    String KICK = "kick";
    String READ = "read";
    String RECALL = "recall";
    String GROUP_INVITATION = "group_invitation";
    String GROUP_JOIN_REQUEST = "group_join_request";
    String ERROR = "error";
    String SYNC = "sync";
    String SIGNAL = "signal";
    String CONTACT = "contact";
    String CONTACT_CHANGES = "contact_changes";

    /** The {@code type}s of this version; anything else is a newer server's event, to be ignored. */
    Set<String> TYPES = Set.of(KICK, READ, RECALL, GROUP_INVITATION, GROUP_JOIN_REQUEST, ERROR, SYNC, SIGNAL, CONTACT,
            CONTACT_CHANGES);

    /**
     * {@code {"type":"kick","device","reason","ts"}}: the device was logged out (replaced by a newer login of
     * its device type, or by an admin); its token is dead.
     */
    record Kick(String device, String reason, long ts) implements ServerEvent {

        public Kick {
            reason = reason == null ? "" : reason;
        }
    }

    /**
     * {@code {"type":"read","conv","by","upTo","ts"}}: {@code by} (the peer, or the user on another device)
     * read {@code conv} up to {@code upTo} (not "seq": only chat messages have a seq).
     */
    record Read(String conv, String by, long upTo, long ts) implements ServerEvent {
    }

    /**
     * {@code {"type":"recall","rid"?,"conv","id","msgSeq","by","reason"?,"admin"?,"ts"}}: message {@code id}
     * was recalled by {@code by} (its sender, or a group's owner or admin), or, with {@code admin: true},
     * removed by an admin of the service for {@code reason}. {@code rid} only in the answer to an MQTT recall
     * request.
     */
    record Recall(@Nullable String rid, String conv, String id, long msgSeq, String by, @Nullable String reason,
                  @Nullable Boolean admin, long ts)
            implements ServerEvent {

        public static Recall byUser(String conv, String id, long msgSeq, String by, long ts) {
            return new Recall(null, conv, id, msgSeq, by, null, null, ts);
        }

        public static Recall byAdmin(String conv, String id, long msgSeq, String admin, String reason, long ts) {
            return new Recall(null, conv, id, msgSeq, admin, reason, true, ts);
        }

        /** This event as the answer to request {@code rid}. */
        public Recall answering(@Nullable String rid) {
            return new Recall(rid, conv, id, msgSeq, by, reason, admin, ts);
        }
    }

    /**
     * {@code {"type":"group_invitation","groupId","name","by","ts"}}: you were invited to a group (accept or
     * decline over REST).
     */
    record GroupInvitation(String groupId, String name, String by, long ts) implements ServerEvent {
    }

    /**
     * To a group's owner and admins, {@code {"type":"group_join_request","groupId","name","user","ts"}}:
     * {@code user} asks to join (approve or reject over REST).
     */
    record GroupJoinRequest(String groupId, String name, String user, long ts) implements ServerEvent {
    }

    /**
     * {@code {"type":"error","rid"?,"cid"?,"code","reason","topic"}}: to the sending device's inbox, when its
     * publish was refused and it cannot learn it from the acknowledgement (MQTT 3.1.1 has no PUBACK reason
     * codes), or when a request on {@code chat/req/{user}} failed ({@code rid}). {@code code} is a
     * {@link ProtocolError#code()} or a request's own code.
     */
    record Refusal(@Nullable String rid, @Nullable String cid, String code, String reason, String topic)
            implements ServerEvent {

        /** A refused publish of message {@code cid} (null when the payload had none) on {@code topic}. */
        public static Refusal ofPublish(@Nullable String cid, ProtocolError error, String reason, String topic) {
            return new Refusal(null, cid, error.code(), reason, topic);
        }

        /** A failed request {@code rid} (may be null) on {@code topic}. */
        public static Refusal ofRequest(@Nullable String rid, String code, String reason, String topic) {
            return new Refusal(rid, null, code, reason, topic);
        }
    }

    /**
     * The answer to an MQTT sync request: {@code {"type":"sync","rid"?,"messages":[...],"complete":{conv:seq},
     * "cursor","hasMore","retryAfterMs"?,"recalls":[...],"left":[conv]}} (see {@code SyncEngine} for what each
     * means). {@code GET/POST /api/v1/sync} answers the same fields, without {@code type} and {@code rid}.
     */
    record Sync(@Nullable String rid, List<ChatMessage> messages, Map<String, Long> complete, String cursor,
                boolean hasMore, @Nullable Long retryAfterMs, List<Recalled> recalls, List<String> left)
            implements ServerEvent {

        /**
         * A message recalled since the cursor's last sync: {@code by} recalled or removed it (the sender, a
         * group's owner or admin, or an admin of the service), {@code reason} is an admin's reason for a removal
         * (else null).
         */
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public record Recalled(String conv, String id, long msgSeq, long recalledAt, String by,
                               @Nullable String reason) {

            /** The recall event a device would have had live. */
            public Recall asEvent() {
                return new Recall(null, conv, id, msgSeq, by, reason, reason == null ? null : Boolean.TRUE,
                        recalledAt);
            }
        }
    }

    /**
     * {@code {"type":"contact","change","peer","version","message"?,"ts"}}: your contact list or your pending contact
     * requests changed; {@code version} is your list's version after this change (as
     * {@code GET /api/v1/contacts?sinceVersion=} returns it). {@code change} is one of the {@code CONTACT_*}
     * constants, from your side: {@code request_received} (peer asked you, with their {@code message} if any),
     * {@code requested} (you asked peer, from another of your devices), {@code accepted} (you are contacts now),
     * {@code declined}, {@code cancelled}, {@code removed}, {@code blocked} / {@code unblocked} (by you; the blocked
     * user is never told), {@code deleted} (peer's account is gone). Clients ignore changes they do not know.
     */
    record Contact(String change, String peer, long version, @Nullable String message, long ts) implements ServerEvent {

        public static final String REQUESTED = "requested";
        public static final String REQUEST_RECEIVED = "request_received";
        public static final String ACCEPTED = "accepted";
        public static final String DECLINED = "declined";
        public static final String CANCELLED = "cancelled";
        public static final String REMOVED = "removed";
        public static final String BLOCKED = "blocked";
        public static final String UNBLOCKED = "unblocked";
    }

    /**
     * The answer to an MQTT {@code op: contacts} request: {@code {"type":"contact_changes","rid"?,"changes":[...],
     * "version","next","hasMore"}}, the changes of your list after the version asked for, in order (as
     * {@code GET /api/v1/contacts?sinceVersion=} answers them, with {@code at} in epoch milliseconds); ask again
     * from {@code next} while {@code hasMore}.
     */
    record ContactChanges(@Nullable String rid, List<Change> changes, long version, long next, boolean hasMore)
            implements ServerEvent {

        /** One change: {@code change} as in {@link Contact}, {@code message} only for a request. */
        public record Change(long version, String change, String peer, @Nullable String message, long at) {
        }
    }

    /**
     * {@code {"type":"signal","signal":"typing","state":"start","from","dev","conv","ts"}}: a short-lived signal
     * (typing, ...) of {@code from}'s device {@code dev} in conversation {@code conv}, on {@code chat/e/{you}} or
     * {@code chat/e/g/{group}}. Never stored; {@code from} and {@code dev} are set by the server.
     *
     * @param state what the sender said about it (e.g. {@code start}, {@code stop}), if anything
     * @param data  a small JSON value the sender attached, if any
     */
    record Signal(String signal, @Nullable String state, String from, String dev, String conv, long ts,
                  @Nullable JsonNode data) implements ServerEvent {
    }

    /** This event as the JSON text the server publishes. */
    default String toJson() {
        try {
            return Json.MAPPER.writerFor(ServerEvent.class).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + getClass().getSimpleName(), e);
        }
    }

    /** This event as UTF-8 JSON bytes. */
    default byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads an event; {@code null} for a type this version does not know or an event it cannot read. */
    static @Nullable ServerEvent parse(@Nullable JsonNode node) {
        if (node == null || !TYPES.contains(node.path("type").asText())) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(node, ServerEvent.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }
}
