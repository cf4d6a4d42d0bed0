package io.mqchat.web;

import org.springframework.http.HttpStatus;

/**
 * A refusal with a client-facing reason, turned into RFC 9457 problem details by {@link ProblemHandler}.
 * The detail is shown to the client as is, so it must never contain secrets or internals.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, null);
    }

    /** With a machine-readable {@code code} member in the problem document (e.g. {@code recall_window_passed}). */
    public ApiException(HttpStatus status, String detail, String code) {
        this(status, detail, code, 0);
    }

    private ApiException(HttpStatus status, String detail, String code, long retryAfterSeconds) {
        // no stack trace: these are expected outcomes, not bugs
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public HttpStatus status() {
        return status;
    }

    /** The problem document's {@code code} member, or null for none. */
    public String code() {
        return code;
    }

    /** Seconds the client should wait before trying again ({@code Retry-After}), 0 for no such header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** 429 with {@code Retry-After}: the client may try again after {@code retryAfterSeconds} (at least 1). */
    public static ApiException tooManyRequests(String detail, String code, long retryAfterSeconds) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail, code, Math.max(1, retryAfterSeconds));
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail);
    }
}
