package io.mqchat.api.groups;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * 429 as an RFC 9457 problem with {@code Retry-After}. An {@link ErrorResponseException}, so the shared
 * problem handler writes it with its headers as it is.
 */
public class TooManyRequestsException extends ErrorResponseException {

    /** @param retryAfterSeconds when trying again can succeed, or 0 when waiting does not help */
    public TooManyRequestsException(String detail, long retryAfterSeconds) {
        super(HttpStatus.TOO_MANY_REQUESTS, problem(detail), null);
        if (retryAfterSeconds > 0) {
            getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, detail);
        problem.setTitle("Too Many Requests");
        return problem;
    }
}
