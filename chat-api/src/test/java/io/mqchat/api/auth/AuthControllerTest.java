package io.mqchat.api.auth;

import com.mongodb.MongoTimeoutException;
import io.mqchat.api.TestSupport;
import io.mqchat.api.config.ChatApiProperties;
import io.mqchat.api.users.User;
import io.mqchat.api.users.UserAlreadyExistsException;
import io.mqchat.api.users.UserStore;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.DeviceTypes;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The auth endpoints' validation and error mapping, with the store mocked. */
@WebMvcTest(AuthController.class)
@Import({AuthService.class, PasswordHashingConfig.class, AuthControllerTest.Config.class})
class AuthControllerTest {

    @TestConfiguration
    static class Config {
        @Bean
        AccessTokens accessTokens() {
            return new AccessTokens(TestSupport.SECRET);
        }

        @Bean
        ChatApiProperties chatApiProperties() {
            return new ChatApiProperties(new io.mqchat.web.MongoProperties("mongodb://unused", Duration.ofSeconds(1)),
                    new ChatApiProperties.Jwt(TestSupport.SECRET, Duration.ofHours(2)),
                    new io.mqchat.web.RedisProperties("redis://localhost:6379"), DeviceTypes.DEFAULTS, "per-type",
                    java.util.List.of());
        }
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    UserStore store;

    @MockitoBean
    io.mqchat.common.redis.DeviceLogins deviceLogins;

    @MockitoBean
    io.mqchat.api.devices.DeviceSessions devices;

    /** The throttle has its own end-to-end test (AuthThrottleTest); here it lets every attempt through. */
    @MockitoBean
    LoginThrottle throttle;

    /** No bans here (the admin API has its own end-to-end tests); also what the admin route guard reads. */
    @MockitoBean
    io.mqchat.api.admin.ManagedAccounts accounts;

    @MockitoBean
    io.mqchat.api.admin.AdminAccess adminAccess;

    @org.junit.jupiter.api.BeforeEach
    @SuppressWarnings("unchecked")
    void loginsIssueRealTokens() {
        when(throttle.attempt(anyString(), any(), any())).thenAnswer(call ->
                ((java.util.function.Supplier<Boolean>) call.getArgument(2)).get());
        org.mockito.Mockito.when(devices.login(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any(),
                org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any())).thenAnswer(call -> {
            AccessTokens tokens = call.getArgument(0);
            String token = tokens.issue(call.getArgument(1), call.getArgument(2), call.getArgument(3));
            return new io.mqchat.common.redis.DeviceLogins.Issued(token, tokens.verify(token).orElseThrow(),
                    java.util.List.of());
        });
    }

    private ResultActions post(String path, String json) throws Exception {
        return mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(path)
                .contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private ResultActions expectProblem(ResultActions result, int status, String detail) throws Exception {
        return result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(status))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    @Test
    void registerHashesThePasswordAndReturnsLocation() throws Exception {
        post("/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"s3cret-pass\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/users/alice"))
                .andExpect(jsonPath("$.userId").value("alice"));

        ArgumentCaptor<User> stored = ArgumentCaptor.forClass(User.class);
        verify(store).insert(stored.capture());
        assertThat(stored.getValue().userId()).isEqualTo("alice");
        assertThat(new BCryptPasswordEncoder().matches("s3cret-pass", stored.getValue().passwordHash())).isTrue();
    }

    @Test
    void takenIdIsAConflict() throws Exception {
        doThrow(new UserAlreadyExistsException("alice")).when(store).insert(any());
        expectProblem(post("/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"s3cret-pass\"}"),
                409, "The user id 'alice' is already taken.");
    }

    @Test
    void registrationInputIsValidatedBeforeTheStore() throws Exception {
        expectProblem(post("/api/v1/auth/register", "{\"password\":\"s3cret-pass\"}"), 400, "userId is required");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":\"alice\"}"), 400, "password is required");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":\"al:ice\",\"password\":\"s3cret-pass\"}"),
                400, "userId must be 3-32 characters: letters, digits, '_', '-', '.'");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":[\"alice\"],\"password\":\"s3cret-pass\"}"),
                400, "Field 'userId' has the wrong type.");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"Alice-2024\"}"),
                400, "password must not contain the user id");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":\"alice\",\"password\":\"abcdefgh\"}"),
                400, "password must contain at least one letter and one character that is not a letter");
        expectProblem(post("/api/v1/auth/register", "[1,2]"), 400,
                "The request body is missing or is not a JSON object of the expected shape.");
        expectProblem(post("/api/v1/auth/register", "{\"userId\":"), 400, "The request body is not valid JSON.");
        verify(store, never()).insert(any());
    }

    @Test
    void loginSucceedsWithTheRightPassword() throws Exception {
        String hash = new BCryptPasswordEncoder(4).encode("s3cret-pass");
        when(store.find("alice")).thenReturn(Optional.of(new User("alice", hash, Instant.now())));

        String body = post("/api/v1/auth/login",
                "{\"userId\":\"alice\",\"password\":\"s3cret-pass\",\"deviceType\":\"web\"}")
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.clientId").value("alice:web"))
                .andReturn().getResponse().getContentAsString();

        String token = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(body)
                .get("token").asText();
        AccessTokens.AccessToken verified = new AccessTokens(TestSupport.SECRET).verify(token).orElseThrow();
        assertThat(verified.expiresAt()).isEqualTo(verified.issuedAt().plus(Duration.ofHours(2)));
    }

    @Test
    void unknownUserAndWrongPasswordLookTheSame() throws Exception {
        String hash = new BCryptPasswordEncoder(4).encode("s3cret-pass");
        when(store.find("alice")).thenReturn(Optional.of(new User("alice", hash, Instant.now())));
        when(store.find("bob")).thenReturn(Optional.empty());

        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"alice\",\"password\":\"wrong-pass1\",\"deviceType\":\"web\"}"),
                401, AuthService.BAD_CREDENTIALS);
        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"bob\",\"password\":\"wrong-pass1\",\"deviceType\":\"web\"}"),
                401, AuthService.BAD_CREDENTIALS);
    }

    @Test
    void loginValidatesDeviceAndFields() throws Exception {
        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"alice\",\"password\":\"s3cret-pass\",\"deviceType\":\"fridge\"}"),
                400, "deviceType must be one of phone, tablet, desktop, web, iot, bot");
        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"alice\",\"deviceType\":\"web\"}"),
                400, "password is required");
        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"$where\",\"password\":\"s3cret-pass\",\"deviceType\":\"web\"}"),
                400, "userId must be 3-32 characters: letters, digits, '_', '-', '.'");
        verify(store, never()).find(anyString());
    }

    @Test
    void wrongContentTypeIs415Problem() throws Exception {
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post("/api/v1/auth/login")
                        .contentType(MediaType.TEXT_PLAIN).content("alice"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void databaseDownIs503() throws Exception {
        when(store.find("alice")).thenThrow(new MongoTimeoutException("Timed out after 5000 ms while waiting"));
        expectProblem(post("/api/v1/auth/login", "{\"userId\":\"alice\",\"password\":\"s3cret-pass\",\"deviceType\":\"web\"}"),
                503, "The database is unavailable; try again later.")
                .andExpect(header().string("Retry-After", "5"));
    }

    @Test
    void unexpectedErrorsDoNotLeakDetails() throws Exception {
        when(store.find("alice")).thenThrow(new IllegalStateException("secret internals"));
        String body = expectProblem(post("/api/v1/auth/login",
                        "{\"userId\":\"alice\",\"password\":\"s3cret-pass\",\"deviceType\":\"web\"}"),
                500, "An unexpected error occurred.")
                .andReturn().getResponse().getContentAsString();
        assertThat(body).doesNotContain("secret internals").doesNotContain("IllegalStateException");
    }
}
