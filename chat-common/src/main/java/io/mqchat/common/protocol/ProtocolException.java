package io.mqchat.common.protocol;

/** A refused publish: the {@link ProtocolError} plus a human-readable detail (never a stack trace). */
public class ProtocolException extends Exception {

    private final ProtocolError error;
    private final String cid;

    public ProtocolException(ProtocolError error, String detail) {
        this(error, detail, null);
    }

    public ProtocolException(ProtocolError error, String detail, String cid) {
        super(detail, null, false, false);
        this.error = error;
        this.cid = cid;
    }

    public ProtocolError error() {
        return error;
    }

    /** The client's message id when it could be read, so the client can match the error to its send. */
    public String cid() {
        return cid;
    }

    /** The reason string sent to MQTT 5 clients: {@code "code: detail"}. */
    public String reasonString() {
        return error.code() + ": " + getMessage();
    }
}
