package io.mqchat.demo;

import io.mqchat.common.protocol.ProtocolError;

/**
 * The server refused a message. {@link #code()} is the stable protocol error code
 * ({@code invalid_field}, {@code unknown_recipient}, ...; see {@link ProtocolError}).
 *
 * <p>Where it comes from: MQTT 5 — a PUBACK reason code &ge; 0x80 with reason string {@code "code: detail"};
 * MQTT 3.1.1 — an error event {@code {"type":"error","cid",...}} on the sender's inbox.
 */
public class SendRefusedException extends Exception {

    private final String code;
    private final String detail;

    public SendRefusedException(String code, String detail) {
        super(code + ": " + detail, null, false, false);
        this.code = code;
        this.detail = detail;
    }

    /** Parses an MQTT 5 reason string {@code "code: detail"}; falls back to the numeric reason code. */
    public static SendRefusedException fromReasonString(int reasonCode, String reasonString) {
        if (reasonString != null) {
            int colon = reasonString.indexOf(": ");
            if (colon > 0) {
                return new SendRefusedException(reasonString.substring(0, colon), reasonString.substring(colon + 2));
            }
            return new SendRefusedException("refused", reasonString);
        }
        return new SendRefusedException("refused", String.format("reason code 0x%02X", reasonCode));
    }

    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }

    /** Storage was unavailable: the message is still ours to deliver, retry later with the same cid. */
    public boolean retryable() {
        return ProtocolError.STORAGE_UNAVAILABLE.code().equals(code);
    }
}
