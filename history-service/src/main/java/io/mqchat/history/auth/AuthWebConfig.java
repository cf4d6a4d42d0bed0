package io.mqchat.history.auth;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenWebConfig;
import org.springframework.context.annotation.Configuration;

/**
 * Which routes need a bearer token: everything under {@code /api/v1}. Like chat-api, a token counts only
 * while it is its device's current login (a replaced or logged-out device gets 401; Redis unreachable: 503),
 * read through {@link CurrentLogins}.
 */
@Configuration(proxyBeanMethods = false)
public class AuthWebConfig extends BearerTokenWebConfig {

    public AuthWebConfig(AccessTokens tokens, CurrentLogins logins) {
        super(tokens, logins);
    }
}
