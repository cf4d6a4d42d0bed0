package io.mqchat.history.auth;

import io.mqchat.common.auth.AccessTokens;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Which routes need a bearer token: everything under {@code /api/v1}. */
@Configuration(proxyBeanMethods = false)
public class AuthWebConfig implements WebMvcConfigurer {

    private final AccessTokens tokens;
    private final CurrentLogins logins;

    public AuthWebConfig(AccessTokens tokens, CurrentLogins logins) {
        this.tokens = tokens;
        this.logins = logins;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(tokens, logins))
                .addPathPatterns("/api/v1/**");
    }
}
