package io.mqchat.api.admin;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.ApiException;
import io.mqchat.web.BearerTokenInterceptor;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Every route under {@value #ADMIN_ROUTES} is for admins only: checked on every call against
 * {@link AdminAccess}, after the bearer check (which answers 401 for a missing or dead token). Guarding the
 * whole path rather than each handler means a new admin endpoint cannot be left open.
 */
@Configuration(proxyBeanMethods = false)
public class AdminWebConfig implements WebMvcConfigurer {

    public static final String ADMIN_ROUTES = "/api/v1/admin/**";
    static final String ADMINS_ONLY = "Only admins may use the admin API.";

    private final AdminAccess access;

    public AdminWebConfig(AdminAccess access) {
        this.access = access;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (!(request.getAttribute(BearerTokenInterceptor.ATTRIBUTE) instanceof AccessTokens.AccessToken caller)) {
                    // the bearer check runs first and stores the token; without it nobody is let in
                    throw ApiException.unauthorized(BearerTokenInterceptor.TOKEN_REQUIRED);
                }
                if (!access.isAdmin(caller.userId())) {
                    throw ApiException.forbidden(ADMINS_ONLY);
                }
                return true;
            }
        }).addPathPatterns(ADMIN_ROUTES).order(Ordered.LOWEST_PRECEDENCE);
    }
}
