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

    /**
     * The reason string sent to MQTT 5 clients: {@code "code: detail"}, as printable text. Details may quote the
     * client's own input (a field name), and an MQTT UTF-8 string must not carry control characters,
     * non-characters or unpaired surrogates: clients close the connection on them. Those are written as
     * {@code \\uXXXX}, and the whole is capped at {@value #MAX_REASON} characters.
     */
    public String reasonString() {
        return printable(error.code() + ": " + getMessage(), MAX_REASON);
    }

    /** Longest reason string: well within a packet, however many refusals one packet answers. */
    public static final int MAX_REASON = 300;

    /** {@code text} with characters MQTT strings should not carry escaped, at most {@code max} characters. */
    public static String printable(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            int cp = pair ? text.codePointAt(i) : c;
            boolean nonCharacter = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
            String piece = Character.isISOControl(cp) || nonCharacter || (!pair && Character.isSurrogate(c))
                    ? String.format("\\u%04x", (int) c) : new String(Character.toChars(cp));
            if (b.length() + piece.length() > max) {
                break;
            }
            b.append(piece);
            if (pair) {
                i++;
            }
        }
        return b.toString();
    }
}
