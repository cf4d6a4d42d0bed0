package io.mqchat.web;

import io.mqchat.common.auth.AccessTokens;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;
import java.util.Objects;

/**
 * Which routes need a bearer token: everything under {@value #PROTECTED_ROUTES} except the public routes
 * the service names (chat-api: register and login). Default-deny: a new route is protected unless it is
 * listed here as public.
 *
 * <p>Each service subclasses it as a {@code @Configuration} in its {@code auth} package (found by its
 * component scan and by its {@code @WebMvcTest} slices) and passes its {@link CurrentLoginCheck}.
 */
public abstract class BearerTokenWebConfig implements WebMvcConfigurer {

    /** The routes the interceptor guards. */
    public static final String PROTECTED_ROUTES = "/api/v1/**";

    private final AccessTokens tokens;
    private final CurrentLoginCheck logins;
    private final List<String> publicRoutes;

    /** @param publicRoutes path patterns under {@value #PROTECTED_ROUTES} that need no token */
    protected BearerTokenWebConfig(AccessTokens tokens, CurrentLoginCheck logins, String... publicRoutes) {
        this.tokens = Objects.requireNonNull(tokens);
        this.logins = Objects.requireNonNull(logins);
        this.publicRoutes = List.of(publicRoutes);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(tokens, logins))
                .addPathPatterns(PROTECTED_ROUTES)
                .excludePathPatterns(publicRoutes);
    }
}
