package io.mqchat.api.auth;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.redis.DeviceLogins;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Which routes need a bearer token: everything under {@code /api/v1} except register and login. */
@Configuration(proxyBeanMethods = false)
public class AuthWebConfig implements WebMvcConfigurer {

    private final AccessTokens tokens;
    private final DeviceLogins logins;

    public AuthWebConfig(AccessTokens tokens, DeviceLogins logins) {
        this.tokens = tokens;
        this.logins = logins;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(tokens, logins))
                .addPathPatterns("/api/v1/**")
                .excludePathPatterns("/api/v1/auth/register", "/api/v1/auth/login");
    }
}
