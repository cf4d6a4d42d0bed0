package io.mqchat.web;

import io.mqchat.common.auth.AccessTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

import java.util.Objects;

/**
 * Requires a valid access token ({@code Authorization: Bearer ...}) that is still its device's current
 * login (a replaced or logged-out device gets 401; the login store unreachable: 503), and stores the
 * verified token in the request attribute {@link #ATTRIBUTE}. A missing or invalid token always gets the
 * same detail, so a prober learns nothing about why it was refused.
 */
public class BearerTokenInterceptor implements HandlerInterceptor {

    /** Request attribute holding the caller's {@link AccessTokens.AccessToken}. */
    public static final String ATTRIBUTE = "mqchat.accessToken";
    /** The detail of the 401 for a missing, malformed, forged or expired token. */
    public static final String TOKEN_REQUIRED = "A valid access token is required (Authorization: Bearer <token>).";
    /** The detail of the 401 for a valid token whose device has since logged in again or out. */
    public static final String LOGGED_OUT = "This device was logged out (signed in elsewhere or logged out); "
            + "log in again.";
    private static final String PREFIX = "bearer ";

    private final AccessTokens tokens;
    private final CurrentLoginCheck logins;

    public BearerTokenInterceptor(AccessTokens tokens, CurrentLoginCheck logins) {
        this.tokens = Objects.requireNonNull(tokens);
        this.logins = Objects.requireNonNull(logins);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        AccessTokens.AccessToken token = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? tokens.verify(header.substring(PREFIX.length()).trim()).orElse(null)
                : null;
        if (token == null) {
            throw ApiException.unauthorized(TOKEN_REQUIRED);
        }
        if (!logins.isCurrent(token)) {
            throw ApiException.unauthorized(LOGGED_OUT);
        }
        request.setAttribute(ATTRIBUTE, token);
        return true;
    }
}
