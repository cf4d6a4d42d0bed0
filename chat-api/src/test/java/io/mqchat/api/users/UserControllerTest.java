package io.mqchat.api.users;

import io.mqchat.api.TestSupport;
import io.mqchat.common.auth.AccessTokens;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** User lookup: bearer check and the public view. */
@WebMvcTest(UserController.class)
@Import(UserControllerTest.Config.class)
class UserControllerTest {

    @TestConfiguration
    static class Config {
        @Bean
        AccessTokens accessTokens() {
            return new AccessTokens(TestSupport.SECRET);
        }
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    UserStore store;

    @MockitoBean
    io.mqchat.common.redis.DeviceLogins logins;

    /** What the admin route guard (a web configurer, so part of this slice) reads. */
    @MockitoBean
    io.mqchat.api.admin.AdminAccess adminAccess;

    @org.junit.jupiter.api.BeforeEach
    void everyTokenIsCurrent() {
        org.mockito.Mockito.when(logins.isCurrentNow(org.mockito.ArgumentMatchers.any())).thenReturn(true);
    }

    private final String token = new AccessTokens(TestSupport.SECRET).issue("bob", "phone", Duration.ofHours(1));

    @Test
    void returnsThePublicViewOnly() throws Exception {
        when(store.find("alice")).thenReturn(Optional.of(
                new User("alice", "$2a$10$hash", Instant.parse("2026-01-02T03:04:05Z"))));

        mvc.perform(get("/api/v1/users/alice").header("Authorization", "Bearer " + token))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.userId").value("alice"))
                .andExpect(jsonPath("$.createdAt").value("2026-01-02T03:04:05Z"))
                .andExpect(jsonPath("$.passwordHash").doesNotExist());
    }

    @Test
    void unknownAndImpossibleIdsAre404() throws Exception {
        when(store.find("nobody")).thenReturn(Optional.empty());
        mvc.perform(get("/api/v1/users/nobody").header("Authorization", "Bearer " + token))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        mvc.perform(get("/api/v1/users/{id}", "$gt").header("Authorization", "bearer " + token))
                .andExpect(status().isNotFound());
        verify(store, never()).find("$gt");
    }

    @Test
    void missingOrInvalidTokensAre401() throws Exception {
        String expired = new AccessTokens(TestSupport.SECRET).issue("bob", "phone", Duration.ofSeconds(-5));
        for (String auth : new String[]{null, "Bearer", "Bearer garbage", "Basic Ym9iOnB3", "Bearer " + expired}) {
            var request = get("/api/v1/users/alice");
            if (auth != null) {
                request.header("Authorization", auth);
            }
            mvc.perform(request)
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string("WWW-Authenticate", "Bearer"))
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.detail").value(
                            "A valid access token is required (Authorization: Bearer <token>)."));
        }
        verify(store, never()).find(anyString());
    }

    @Test
    void aReplacedTokenIs401AndUnreachableRedisIs503LikeTheDatabase() throws Exception {
        // chat-api checks current logins through its own DeviceLogins; Redis down reads as the database down
        when(logins.isCurrentNow(org.mockito.ArgumentMatchers.any())).thenReturn(false);
        mvc.perform(get("/api/v1/users/alice").header("Authorization", "Bearer " + token))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer"))
                .andExpect(jsonPath("$.detail").value(
                        "This device was logged out (signed in elsewhere or logged out); log in again."));

        when(logins.isCurrentNow(org.mockito.ArgumentMatchers.any()))
                .thenThrow(new org.redisson.client.RedisConnectionException("Unable to connect to Redis server"));
        mvc.perform(get("/api/v1/users/alice").header("Authorization", "Bearer " + token))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("The database is unavailable; try again later."));
        verify(store, never()).find(anyString());
    }
}
