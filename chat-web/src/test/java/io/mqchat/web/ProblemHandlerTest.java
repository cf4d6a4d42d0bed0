package io.mqchat.web;

import com.mongodb.MongoTimeoutException;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisConnectionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Every failure becomes problem details; an unexpected one never shows its message or stack trace. */
class ProblemHandlerTest {

    static final String REDIS_DETAIL = "Logins cannot be checked right now; try again later.";

    @RestControllerAdvice
    static class Problems extends ProblemHandler {
        Problems() {
            super(REDIS_DETAIL);
        }
    }

    record Body(int count) {
    }

    @RestController
    static class Failing {
        @GetMapping("/refused")
        String refused() {
            throw ApiException.forbidden("You are not a member of this group.");
        }

        @GetMapping("/coded")
        String coded() {
            throw new ApiException(HttpStatus.CONFLICT, "Too late to recall.", "recall_window_passed");
        }

        @GetMapping("/unauthorized")
        String unauthorized() {
            throw ApiException.unauthorized("Log in first.");
        }

        @GetMapping("/bug")
        String bug() {
            throw new IllegalStateException("internal secret: db password is hunter2");
        }

        @GetMapping("/mongo-down")
        String mongoDown() {
            throw new MongoTimeoutException("Timed out after 200 ms while waiting for a server at 10.0.0.7");
        }

        @GetMapping("/redis-down")
        String redisDown() {
            throw new RedisConnectionException("Unable to connect to Redis server: 10.0.0.8/10.0.0.8:6379");
        }

        @PostMapping("/body")
        String body(@RequestBody Body body) {
            return "ok";
        }

        @GetMapping("/throttled")
        String throttled() {
            throw ApiException.tooManyRequests("Slow down; try again in 7 s.", "login_throttled", 7);
        }

        @GetMapping("/undecodable")
        String undecodable() {
            throw new org.apache.tomcat.util.http.InvalidParameterException(
                    "Character decoding failed. Parameter [before] with value [secret%%%] has been ignored.");
        }

        @GetMapping("/too-large")
        String tooLarge() throws java.io.IOException {
            // as a body reader sees it: wrapped by the parser
            throw new java.io.UncheckedIOException(new BodyTooLargeException(1024));
        }
    }

    /** As WebHardeningConfig configures Spring MVC's Jackson: duplicate keys are refused. */
    private static final tools.jackson.databind.json.JsonMapper.Builder STRICT = tools.jackson.databind.json.JsonMapper
            .builder().enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Failing())
            .setMessageConverters(new org.springframework.http.converter.StringHttpMessageConverter(),
                    new org.springframework.http.converter.json.JacksonJsonHttpMessageConverter(STRICT))
            .setControllerAdvice(new Problems()).build();

    @Test
    void tooManyRequestsCarriesRetryAfterAndTheCode() throws Exception {
        mvc.perform(get("/throttled"))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "7"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("login_throttled"))
                .andExpect(jsonPath("$.detail").value("Slow down; try again in 7 s."));
    }

    @Test
    void anUndecodableQueryIs400WithoutEchoingIt() throws Exception {
        mvc.perform(get("/undecodable"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("percent-encode")))
                .andExpect(content().string(not(containsString("secret"))));
    }

    @Test
    void aBodyOverTheCapIs413WhereverItWasNoticed() throws Exception {
        mvc.perform(get("/too-large"))
                .andExpect(status().is(413))
                .andExpect(header().string("Connection", "close"))
                .andExpect(jsonPath("$.detail").value(BodyTooLargeException.detail(1024)));
    }

    @Test
    void aDuplicateKeyIsNamedWithoutControlCharacters() throws Exception {
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON).content("{\"count\":1,\"count\":2}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("The JSON body has the key 'count' twice in one object; "
                        + "send each key once."));
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"a\\u0000b\":1,\"a\\u0000b\":2}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("'ab' twice")));
    }

    @Test
    void problemJsonEscapesWhatItQuotes() {
        org.assertj.core.api.Assertions.assertThat(ProblemJson.of(400, "a \"quoted\" \\ and\na\u0000nul"))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
                        + "\"detail\":\"a \\\"quoted\\\" \\\\ and\\u000aa\\u0000nul\"}");
    }

    @Test
    void anApiExceptionBecomesItsStatusAndDetail() throws Exception {
        mvc.perform(get("/refused"))
                .andExpect(status().isForbidden())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(403))
                .andExpect(jsonPath("$.title").value("Forbidden"))
                .andExpect(jsonPath("$.detail").value("You are not a member of this group."))
                .andExpect(jsonPath("$.code").doesNotExist())
                .andExpect(header().doesNotExist("WWW-Authenticate"));
    }

    @Test
    void aCodeBecomesTheCodeMember() throws Exception {
        mvc.perform(get("/coded"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value("Too late to recall."))
                .andExpect(jsonPath("$.code").value("recall_window_passed"));
    }

    @Test
    void unauthorizedNamesTheBearerScheme() throws Exception {
        mvc.perform(get("/unauthorized"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer"))
                .andExpect(jsonPath("$.detail").value("Log in first."));
    }

    @Test
    void anUnexpectedExceptionLeaksNothing() throws Exception {
        mvc.perform(get("/bug"))
                .andExpect(status().isInternalServerError())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("An unexpected error occurred."))
                .andExpect(jsonPath("$.trace").doesNotExist())
                .andExpect(content().string(not(containsString("hunter2"))))
                .andExpect(content().string(not(containsString("IllegalStateException"))))
                .andExpect(content().string(not(containsString("at io.mqchat"))));
    }

    @Test
    void mongoDownIs503WithRetryAfterAndNoAddress() throws Exception {
        mvc.perform(get("/mongo-down"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.detail").value(ProblemHandler.DATABASE_UNAVAILABLE))
                .andExpect(content().string(not(containsString("10.0.0.7"))));
    }

    @Test
    void redisDownIs503WithTheServicesDetail() throws Exception {
        mvc.perform(get("/redis-down"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.detail").value(REDIS_DETAIL))
                .andExpect(content().string(not(containsString("10.0.0.8"))));
    }

    @Test
    void anUnreadableBodyNamesTheProblemWithoutEchoingIt() throws Exception {
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON).content("{\"count\": \"many-secret\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("Field 'count' has the wrong type."))
                .andExpect(content().string(not(containsString("many-secret"))));
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON).content("{\"count\": "))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("The request body is not valid JSON."));
        mvc.perform(post("/body").contentType(MediaType.APPLICATION_JSON))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail")
                        .value("The request body is missing or is not a JSON object of the expected shape."));
    }
}
