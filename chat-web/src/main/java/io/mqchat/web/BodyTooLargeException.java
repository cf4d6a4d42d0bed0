package io.mqchat.web;

import java.io.IOException;

/**
 * A request body grew past the configured cap while it was being read (a chunked body, or one longer
 * than its {@code Content-Length} said). An {@link IOException}, because that is what the readers of a
 * body (Jackson, Spring's converters) expect from a stream; {@link ProblemHandler} finds it in their
 * wrapping exceptions and answers 413.
 */
public class BodyTooLargeException extends IOException {

    private final long maxBytes;

    public BodyTooLargeException(long maxBytes) {
        super("request body larger than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The detail of the 413 answer. */
    public static String detail(long maxBytes) {
        return "The request body is larger than " + maxBytes + " bytes, the most this server accepts "
                + "(MQCHAT_HTTP_MAXBODY).";
    }

    /** The first {@link BodyTooLargeException} among {@code t} and its causes, or null. */
    static BodyTooLargeException find(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }
}
