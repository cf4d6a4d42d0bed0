package io.mqchat.common.protocol;

/**
 * Why a publish was refused. The {@link #code()} is stable and appears in error events and in MQTT 5
 * reason strings ({@code "code: detail"}), so clients can branch on it.
 */
public enum ProtocolError {
    /** The payload is larger than the configured maximum. */
    PAYLOAD_TOO_LARGE("payload_too_large"),
    /** The payload starts like JSON but does not parse, or is not a JSON object, or is not UTF-8. */
    MALFORMED_PAYLOAD("malformed_payload"),
    /** A JSON message without a usable {@code cid}. */
    MISSING_CID("missing_cid"),
    /** A field has the wrong type or an invalid value. */
    INVALID_FIELD("invalid_field"),
    /** The client set a field only the server sets ({@code from}, {@code id}, {@code seq}, ...). */
    FORGED_FIELD("forged_field"),
    /** The topic is not one a client may publish chat messages to. */
    INVALID_TOPIC("invalid_topic"),
    /** The addressed user does not exist. */
    UNKNOWN_RECIPIENT("unknown_recipient"),
    /** The sender may not publish here (e.g. not a member of the group). */
    NOT_AUTHORIZED("not_authorized"),
    /** The sender is muted in this group (or the whole group is muted and the sender is no admin). */
    MUTED("muted"),
    /** The sender's account sent more than its rate limit allows; retry after the time the reason names. */
    RATE_LIMITED("rate_limited"),
    /** The message could not be stored in time; retry with the same cid. */
    STORAGE_UNAVAILABLE("storage_unavailable"),
    /** A signal ({@code chat/e/...}) published with QoS 1: signals are never stored, so they are QoS 0 only. */
    QOS_NOT_SUPPORTED("qos_not_supported");

    private final String code;

    ProtocolError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
