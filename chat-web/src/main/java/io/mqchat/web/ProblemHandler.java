package io.mqchat.web;

import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns every failure into RFC 9457 problem details ({@code application/problem+json}). Extending
 * {@link ResponseEntityExceptionHandler} covers Spring MVC's own errors (unknown route, wrong method or
 * content type, unreadable body); the handlers below cover ours, a down database or Redis, and bugs — the
 * latter without leaking a stack trace to the client.
 *
 * <p>Each service subclasses it as a {@code @RestControllerAdvice} in its own {@code web} package, so that
 * its component scan (and its {@code @WebMvcTest} slices) find it, and says there what an unreachable Redis
 * means to its clients: for chat-api, whose users, sessions and presence all sit behind it, "the database";
 * for history-service, which reads Redis only to check logins, that logins cannot be checked.
 */
public abstract class ProblemHandler extends ResponseEntityExceptionHandler {

    /** The detail of the 503 answered while MongoDB cannot be reached. */
    public static final String DATABASE_UNAVAILABLE = "The database is unavailable; try again later.";

    /** Seconds a client should wait before trying again after a 503 ({@code Retry-After}). */
    private static final String RETRY_AFTER_SECONDS = "5";

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final String redisUnavailableDetail;

    /** @param redisUnavailableDetail the detail of the 503 answered while Redis cannot be reached */
    protected ProblemHandler(String redisUnavailableDetail) {
        this.redisUnavailableDetail = Objects.requireNonNull(redisUnavailableDetail);
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<ProblemDetail> handleApi(ApiException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        if (e.code() != null) {
            problem.setProperty("code", e.code());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.retryAfterSeconds() > 0) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return response.body(problem);
    }

    /** A query string Tomcat cannot decode (e.g. {@code ?before=%%%}); its message echoes the value. */
    @ExceptionHandler(InvalidParameterException.class)
    public ResponseEntity<ProblemDetail> handleUndecodableParameters(InvalidParameterException e) {
        return ResponseEntity.badRequest().body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The query string is not valid: percent-encode it (RFC 3986) as UTF-8, a '%' as %25."));
    }

    @ExceptionHandler(BodyTooLargeException.class)
    public ResponseEntity<ProblemDetail> handleBodyTooLarge(BodyTooLargeException e) {
        return bodyTooLarge(e);
    }

    private static ResponseEntity<ProblemDetail> bodyTooLarge(BodyTooLargeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                BodyTooLargeException.detail(e.maxBytes()));
        // the rest of the body is unread: close rather than drain it
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).header(HttpHeaders.CONNECTION, "close")
                .body(problem);
    }

    @ExceptionHandler({MongoTimeoutException.class, MongoSocketException.class})
    public ResponseEntity<ProblemDetail> handleMongoDown(RuntimeException e) {
        // expected during outages: one line, no stack trace
        log.warn("MongoDB unavailable: {}", e.getMessage());
        return unavailable(DATABASE_UNAVAILABLE);
    }

    @ExceptionHandler(org.redisson.client.RedisException.class)
    public ResponseEntity<ProblemDetail> handleRedisDown(RuntimeException e) {
        log.warn("Redis unavailable: {}", e.getMessage());
        return unavailable(redisUnavailableDetail);
    }

    private static ResponseEntity<ProblemDetail> unavailable(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> handleUnexpected(Exception e) {
        BodyTooLargeException tooLarge = BodyTooLargeException.find(e);
        if (tooLarge != null) {
            return bodyTooLarge(tooLarge);
        }
        log.error("Unexpected error", e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "An unexpected error occurred.");
        return ResponseEntity.internalServerError().body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        BodyTooLargeException tooLarge = BodyTooLargeException.find(ex);
        if (tooLarge != null) {
            ResponseEntity<ProblemDetail> answer = bodyTooLarge(tooLarge);
            return new ResponseEntity<>(answer.getBody(), answer.getHeaders(), answer.getStatusCode());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, describeUnreadable(ex));
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    /** Jackson's message for a key seen twice (STRICT_DUPLICATE_DETECTION, see WebHardeningConfig). */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate Object property \"(.*)\"", Pattern.DOTALL);

    /** A client-sent key, shortened and without control characters, fit to quote in a detail. */
    private static String printable(String key) {
        String clean = key.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }

    /** A useful reason without echoing the body back or exposing parser internals. */
    static String describeUnreadable(HttpMessageNotReadableException ex) {
        Throwable cause = ex.getCause();
        if (cause instanceof StreamReadException read && read.getOriginalMessage() != null) {
            Matcher duplicate = DUPLICATE.matcher(read.getOriginalMessage());
            if (duplicate.matches()) {
                return "The JSON body has the key '" + printable(duplicate.group(1))
                        + "' twice in one object; send each key once.";
            }
        }
        if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPath().get(mismatch.getPath().size() - 1).getPropertyName();
            if (field != null) {
                return "Field '" + field + "' has the wrong type.";
            }
        }
        if (cause instanceof StreamReadException) {
            return "The request body is not valid JSON.";
        }
        return "The request body is missing or is not a JSON object of the expected shape.";
    }
}
