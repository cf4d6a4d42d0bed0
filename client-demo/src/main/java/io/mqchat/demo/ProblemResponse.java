package io.mqchat.demo;

import java.io.IOException;

/**
 * A REST call answered with an error. mqchat's services answer errors as RFC 9457 problem details
 * ({@code application/problem+json} with {@code title} and {@code detail}); those are what the user sees.
 */
public class ProblemResponse extends IOException {

    private final int status;
    private final String title;
    private final String detail;

    public ProblemResponse(int status, String title, String detail) {
        super(title + (detail == null || detail.isBlank() ? "" : ": " + detail) + " (HTTP " + status + ")");
        this.status = status;
        this.title = title;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /**
     * A 401 on a call made with a token: the token is no longer valid — this device was replaced by a newer
     * login of the same device type, or logged out. The only way on is to log in again.
     */
    public boolean loggedOut() {
        return status == 401;
    }

    public String detail() {
        return detail;
    }
}
