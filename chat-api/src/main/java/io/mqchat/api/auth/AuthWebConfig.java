package io.mqchat.api.auth;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.web.BearerTokenWebConfig;
import org.springframework.context.annotation.Configuration;

/**
 * Which routes need a bearer token: everything under {@code /api/v1} except register and login. A token
 * counts only while it is its device's current login, which chat-api reads from the logins it records
 * itself ({@link DeviceLogins}, Redis).
 */
@Configuration(proxyBeanMethods = false)
public class AuthWebConfig extends BearerTokenWebConfig {

    public AuthWebConfig(AccessTokens tokens, DeviceLogins logins) {
        super(tokens, logins::isCurrentNow, "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/token");
    }
}
