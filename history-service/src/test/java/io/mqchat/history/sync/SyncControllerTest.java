package io.mqchat.history.sync;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.sync.SyncEngine;
import io.mqchat.history.TestSupport;
import io.mqchat.history.WebSliceConfig;
import io.mqchat.history.auth.CurrentLogins;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Sync over REST: what a request may say and how it reaches the engine, the engine mocked. */
@WebMvcTest(SyncController.class)
@Import(WebSliceConfig.class)
class SyncControllerTest {

    private static final AccessTokens TOKENS = new AccessTokens(TestSupport.SECRET);

    @Autowired
    MockMvc mvc;

    @MockitoBean
    SyncEngine engine;
    @MockitoBean
    CurrentLogins logins;

    @BeforeEach
    void setUp() {
        when(logins.isCurrent(any())).thenReturn(true);
        when(engine.sync(any())).thenReturn(new SyncEngine.Result(List.of(), Map.of("d:alice:bob", 4L),
                Map.of("d:alice:bob", 4L), false, null, List.of(), null));
    }

    private static String token() {
        return "Bearer " + TOKENS.issue("alice", "phone", Duration.ofMinutes(5));
    }

    private ResultActions postBody(String body) throws Exception {
        return mvc.perform(post("/api/v1/sync").header("Authorization", token())
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static void expectProblem(ResultActions result, String detail) throws Exception {
        result.andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    private SyncEngine.Request asked() {
        ArgumentCaptor<SyncEngine.Request> request = ArgumentCaptor.forClass(SyncEngine.Request.class);
        verify(engine).sync(request.capture());
        return request.getValue();
    }

    @Test
    void aNewDeviceSyncsEverythingWithTheClampedLimit() throws Exception {
        mvc.perform(get("/api/v1/sync?limit=99999").header("Authorization", token())).andExpect(status().isOk())
                .andExpect(jsonPath("$.complete['d:alice:bob']").value(4))
                .andExpect(jsonPath("$.hasMore").value(false))
                .andExpect(jsonPath("$.cursor").isString());
        SyncEngine.Request request = asked();
        assertThat(request.user()).isEqualTo("alice");
        assertThat(request.limit()).isEqualTo(SyncController.MAX_LIMIT);
        assertThat(request.positions()).isEmpty();
    }

    @Test
    void explicitPositionsReachTheEngine() throws Exception {
        postBody("{\"conversations\": {\"d:alice:bob\": 12}, \"limit\": 7}").andExpect(status().isOk());
        SyncEngine.Request request = asked();
        assertThat(request.positions()).containsExactlyEntriesOf(Map.of("d:alice:bob", 12L));
        assertThat(request.limit()).isEqualTo(7);
    }

    @Test
    void aBadRequestIsAProblemAndNeverReachesTheEngine() throws Exception {
        expectProblem(mvc.perform(get("/api/v1/sync?limit=x").header("Authorization", token())), "limit must be an integer");
        expectProblem(mvc.perform(get("/api/v1/sync?cursor=garbage").header("Authorization", token())),
                "cursor must be the cursor of an earlier answer");
        expectProblem(postBody("{\"cursor\": "), "The request body is not valid JSON.");
        expectProblem(postBody("[1, 2]"), "The request body must be a JSON object.");
        expectProblem(postBody("{\"cursorx\": \"a\"}"), "unknown field 'cursorx'; expected conversations, cursor, limit");
        expectProblem(postBody("{\"cursor\": \"a\", \"conversations\": {}}"), "give either cursor or conversations, not both");
        expectProblem(postBody("{\"cursor\": 5}"), "cursor must be the string of an earlier answer");
        expectProblem(postBody("{\"limit\": \"10\"}"), "limit must be a positive integer (at most 500 are returned)");
        expectProblem(postBody("{\"limit\": 0}"), "limit must be a positive integer (at most 500 are returned)");
        postBody("{\"conversations\": {\"d:bob:carol\": 1}}").andExpect(status().isBadRequest());
        postBody("{\"conversations\": {\"$where\": 1}}").andExpect(status().isBadRequest());
        verifyNoInteractions(engine);
    }
}
