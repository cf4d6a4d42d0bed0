package io.mqchat.history.auth;

import io.mqchat.history.web.ApiException;
import io.mqchat.common.auth.AccessTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Requires a valid access token ({@code Authorization: Bearer ...}) that is still its device's current
 * login (like chat-api: a replaced or logged-out device gets 401; Redis unreachable: 503), and stores the verified token in the
 * request attribute {@link #ATTRIBUTE}. Every refusal has the same detail, so a prober learns nothing.
 */
public class BearerTokenInterceptor implements HandlerInterceptor {

    /** Request attribute holding the caller's {@link AccessTokens.AccessToken}. */
    public static final String ATTRIBUTE = "mqchat.accessToken";
    private static final String PREFIX = "bearer ";

    private final AccessTokens tokens;
    private final CurrentLogins logins;

    public BearerTokenInterceptor(AccessTokens tokens, CurrentLogins logins) {
        this.tokens = tokens;
        this.logins = logins;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        AccessTokens.AccessToken token = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? tokens.verify(header.substring(PREFIX.length()).trim()).orElse(null)
                : null;
        if (token == null) {
            throw ApiException.unauthorized("A valid access token is required (Authorization: Bearer <token>).");
        }
        if (!logins.isCurrent(token)) {
            throw ApiException.unauthorized("This device was logged out (signed in elsewhere or logged out); "
                    + "log in again.");
        }
        request.setAttribute(ATTRIBUTE, token);
        return true;
    }
}
