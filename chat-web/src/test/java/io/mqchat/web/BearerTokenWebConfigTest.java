package io.mqchat.web;

import io.mqchat.common.auth.AccessTokens;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockServletContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The bearer check: missing, invalid and replaced tokens get 401 problem details; public routes need none. */
class BearerTokenWebConfigTest {

    private static final AccessTokens TOKENS = new AccessTokens("test-secret-test-secret-test-secret!!");

    @RestController
    static class Routes {
        @GetMapping("/api/v1/me")
        String me(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
            return caller.userId() + ":" + caller.deviceType();
        }

        @GetMapping("/api/v1/auth/login")
        String login() {
            return "public";
        }

        @GetMapping("/elsewhere")
        String elsewhere() {
            return "not under /api/v1";
        }
    }

    /** Tokens whose device has logged in again since. */
    private final Set<String> replaced = ConcurrentHashMap.newKeySet();

    static class Config extends BearerTokenWebConfig {
        Config(CurrentLoginCheck logins) {
            super(TOKENS, logins, "/api/v1/auth/login");
        }
    }

    private final MockMvc mvc = mvcWith(token -> !replaced.contains(token.tokenId()));

    /** Spring MVC as the services run it: the config's interceptor registration, the problem handler. */
    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class WebMvc {
    }

    private static MockMvc mvcWith(CurrentLoginCheck logins) {
        GenericWebApplicationContext context = new GenericWebApplicationContext(new MockServletContext());
        AnnotationConfigUtils.registerAnnotationConfigProcessors(context);
        context.registerBean(WebMvc.class);
        context.registerBean(Routes.class);
        context.registerBean(ProblemHandlerTest.Problems.class);
        context.registerBean(Config.class, () -> new Config(logins));
        context.refresh();
        return MockMvcBuilders.webAppContextSetup(context).build();
    }

    private ResultActions call(String path, String authorization) throws Exception {
        var request = get(path);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return mvc.perform(request);
    }

    private static void expect401(ResultActions result, String detail) throws Exception {
        result.andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Unauthorized"))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    @Test
    void aCurrentTokenPassesAndIsHandedToTheController() throws Exception {
        String token = TOKENS.issue("alice", "phone", Duration.ofMinutes(5));
        call("/api/v1/me", "Bearer " + token).andExpect(status().isOk())
                .andExpect(content().string("alice:phone"));
        // the scheme is case-insensitive
        call("/api/v1/me", "bearer " + token).andExpect(status().isOk());
    }

    @Test
    void missingMalformedForgedAndExpiredTokensGetTheSame401() throws Exception {
        expect401(call("/api/v1/me", null), BearerTokenInterceptor.TOKEN_REQUIRED);
        String token = TOKENS.issue("alice", "phone", Duration.ofMinutes(5));
        expect401(call("/api/v1/me", "Basic " + token), BearerTokenInterceptor.TOKEN_REQUIRED);
        expect401(call("/api/v1/me", "Bearer not-a-jwt"), BearerTokenInterceptor.TOKEN_REQUIRED);
        String forged = new AccessTokens("another-secret-another-secret-another!")
                .issue("alice", "phone", Duration.ofMinutes(5));
        expect401(call("/api/v1/me", "Bearer " + forged), BearerTokenInterceptor.TOKEN_REQUIRED);
        String expired = TOKENS.issue("alice", "phone", Duration.ofSeconds(-60));
        expect401(call("/api/v1/me", "Bearer " + expired), BearerTokenInterceptor.TOKEN_REQUIRED);
        assertThat(BearerTokenInterceptor.TOKEN_REQUIRED)
                .isEqualTo("A valid access token is required (Authorization: Bearer <token>).");
    }

    @Test
    void aReplacedTokenIsLoggedOut() throws Exception {
        String token = TOKENS.issue("alice", "phone", Duration.ofMinutes(5));
        replaced.add(TOKENS.verify(token).orElseThrow().tokenId());
        expect401(call("/api/v1/me", "Bearer " + token), BearerTokenInterceptor.LOGGED_OUT);
        assertThat(BearerTokenInterceptor.LOGGED_OUT)
                .isEqualTo("This device was logged out (signed in elsewhere or logged out); log in again.");
    }

    @Test
    void anUnreachableLoginStoreIs503() throws Exception {
        MockMvc down = mvcWith(token -> {
            throw new org.redisson.client.RedisConnectionException("Unable to connect to Redis server");
        });
        String token = TOKENS.issue("alice", "phone", Duration.ofMinutes(5));
        down.perform(get("/api/v1/me").header("Authorization", "Bearer " + token))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.detail").value(ProblemHandlerTest.REDIS_DETAIL));
    }

    @Test
    void publicRoutesAndRoutesOutsideApiV1NeedNoToken() throws Exception {
        call("/api/v1/auth/login", null).andExpect(status().isOk()).andExpect(content().string("public"));
        call("/elsewhere", null).andExpect(status().isOk());
    }
}
