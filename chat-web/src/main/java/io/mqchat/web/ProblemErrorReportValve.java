package io.mqchat.web;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tomcat's error report as a problem document instead of its HTML page. Tomcat answers some requests
 * itself, before Spring MVC sees them: an encoded {@code /} or NUL in the path, headers over the size
 * limit, a malformed request line or {@code Content-Length}, a missing {@code Host}. Clients get
 * {@code application/problem+json} for those too; never HTML, a stack trace or the server version.
 *
 * <p>Installed on each service's Tomcat host by {@link WebHardeningConfig}. Errors inside the application
 * never get here: Spring Boot forwards them to {@code /error} ({@link ProblemErrorController}).
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // the same guards as Tomcat's own report: only errors, only once, only while nothing was written
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType(ProblemJson.MEDIA_TYPE);
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(ProblemJson.of(status, detail(status)));
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the answer already committed: nothing left to tell the client
        }
    }

    /** What the client may do, by status: Tomcat's own message is not shown (it may echo the request). */
    static String detail(int status) {
        return switch (status) {
            case 400 -> "The request could not be parsed: check the request line, the headers (at most 8 KB "
                    + "in all) and the path (an encoded '/' or NUL in it is refused).";
            case 404 -> "There is nothing at this path.";
            case 405 -> "This method is not allowed here.";
            case 413 -> "The request is too large.";
            case 414 -> "The request URI is too long.";
            case 431 -> "The request headers are too large (at most 8 KB in all).";
            case 501 -> "This method or transfer encoding is not supported.";
            case 505 -> "This HTTP version is not supported.";
            default -> status >= 500 ? "An unexpected error occurred." : "The request was refused.";
        };
    }
}
