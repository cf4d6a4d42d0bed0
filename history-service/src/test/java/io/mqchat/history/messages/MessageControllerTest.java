package io.mqchat.history.messages;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Json;
import io.mqchat.history.TestSupport;
import io.mqchat.history.WebSliceConfig;
import io.mqchat.history.users.RegisteredUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import java.time.Duration;
import java.util.List;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The history endpoint's validation, access rules and JSON shape, with the stores mocked. */
@WebMvcTest(MessageController.class)
@Import({HistoryService.class, WebSliceConfig.class})
class MessageControllerTest {

    private static final AccessTokens TOKENS = new AccessTokens(TestSupport.SECRET);
    private static final ConversationId CONV = ConversationId.direct("alice", "bob");

    @Autowired
    MockMvc mvc;

    @MockitoBean
    StoredMessages store;

    @MockitoBean
    RegisteredUsers users;

    @MockitoBean
    io.mqchat.common.groups.GroupDirectory groups;

    @MockitoBean
    io.mqchat.history.auth.CurrentLogins logins;

    @org.junit.jupiter.api.BeforeEach
    void everyTokenIsCurrent() {
        when(logins.isCurrent(any())).thenReturn(true);
    }

    private ResultActions read(String conv, String query, String user) throws Exception {
        return mvc.perform(get("/api/v1/conversations/" + conv + "/messages" + query)
                .header("Authorization", "Bearer " + TOKENS.issue(user, "phone", Duration.ofMinutes(5))));
    }

    private static void expectProblem(ResultActions result, int status, String detail) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    @Test
    void returnsMessagesAsPlainJsonWithTheClampedLimit() throws Exception {
        when(users.exists("bob")).thenReturn(true);
        ChatMessage message = new ChatMessage("m6", ConversationId.of(CONV.toString()), 6, "bob", "alice", 1234L, "web", "c6",
                "card", Json.MAPPER.createObjectNode().put("n", 1).set("tags", Json.MAPPER.createArrayNode().add("x")));
        when(store.page(eq(CONV), eq(new PageRequest(5L, null, 200))))
                .thenReturn(new StoredMessages.Slice(List.of(message), true));

        read("d:alice:bob", "?afterSeq=5&limit=500", "alice")
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.conv").value("d:alice:bob"))
                .andExpect(jsonPath("$.hasMore").value(true))
                .andExpect(jsonPath("$.messages[0].id").value("m6"))
                .andExpect(jsonPath("$.messages[0].seq").value(6))
                .andExpect(jsonPath("$.messages[0].from").value("bob"))
                .andExpect(jsonPath("$.messages[0].ts").value(1234))
                .andExpect(jsonPath("$.messages[0].body.n").value(1))
                .andExpect(jsonPath("$.messages[0].body.tags[0]").value("x"));
    }

    @Test
    void defaultsAreNewest50() throws Exception {
        when(users.exists("alice")).thenReturn(true);
        when(store.page(any(), any())).thenReturn(new StoredMessages.Slice(List.of(), false));

        read("d:alice:bob", "", "bob").andExpect(status().isOk()).andExpect(jsonPath("$.messages").isEmpty());

        verify(store).page(CONV, new PageRequest(null, null, 50));
    }

    @Test
    void nonMembersAreForbiddenWithoutTouchingTheStores() throws Exception {
        expectProblem(read("d:alice:bob", "", "carol"), 403, "You are not a member of this conversation.");
        verifyNoInteractions(store, users);
    }

    @Test
    void groupNonMembersAreForbiddenAndMembersReadFromTheirFromSeq() throws Exception {
        when(groups.member("friends", "alice")).thenReturn(java.util.Optional.empty());
        expectProblem(read("g:friends", "", "alice"), 403, "You are not a member of this conversation.");
        verifyNoInteractions(store);

        ConversationId group = ConversationId.group("friends");
        when(groups.member("friends", "bob")).thenReturn(java.util.Optional.of(
                new io.mqchat.common.groups.GroupMember("friends", "bob",
                        io.mqchat.common.groups.GroupRole.MEMBER, null, 7, null)));
        when(store.page(any(), any(), org.mockito.ArgumentMatchers.anyLong(), org.mockito.ArgumentMatchers.anyLong()))
                .thenReturn(new StoredMessages.Slice(List.of(), false));
        read("g:friends", "?beforeSeq=20", "bob").andExpect(status().isOk());
        verify(store).page(group, new PageRequest(null, 20L, 50), 0, 7);
        verifyNoInteractions(users);
    }

    @Test
    void unknownPeersAreNotFound() throws Exception {
        when(users.exists("zed")).thenReturn(false);
        expectProblem(read("d:alice:zed", "", "alice"), 404, "No such conversation: the other user does not exist.");
        verify(store, never()).page(any(), any());
    }

    @Test
    void invalidInputIs400() throws Exception {
        expectProblem(read("d:bob:alice", "", "alice"), 400,
                "conv must be a conversation id: d:{userA}:{userB} with userA < userB, g:{groupId}, or s:all");
        expectProblem(read("d:alice:bob", "?limit=0", "alice"), 400,
                "limit must be a positive integer (at most 200 are returned)");
        expectProblem(read("d:alice:bob", "?afterSeq=abc", "alice"), 400, "afterSeq must be an integer");
        expectProblem(read("d:alice:bob", "?afterSeq=9&beforeSeq=3", "alice"), 400,
                "afterSeq must be less than beforeSeq");
        verifyNoInteractions(store, users);
    }

    @Test
    void missingTokenIs401() throws Exception {
        mvc.perform(get("/api/v1/conversations/d:alice:bob/messages"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        verifyNoInteractions(store, users);
    }

    @Test
    void databaseDownIs503() throws Exception {
        when(users.exists(anyString())).thenThrow(new MongoSocketOpenException("refused", new ServerAddress()));
        expectProblem(read("d:alice:bob", "", "alice"), 503, "The database is unavailable; try again later.");
    }

    @Test
    void aReplacedTokenIs401AndUnreachableRedisIs503ForLogins() throws Exception {
        // history-service checks current logins through CurrentLogins; Redis down means logins cannot be checked
        when(logins.isCurrent(any())).thenReturn(false);
        expectProblem(read("d:alice:bob", "", "alice"), 401,
                "This device was logged out (signed in elsewhere or logged out); log in again.");

        when(logins.isCurrent(any()))
                .thenThrow(new org.redisson.client.RedisConnectionException("Unable to connect to Redis server"));
        ResultActions redisDown = read("d:alice:bob", "", "alice");
        expectProblem(redisDown, 503,
                "Logins cannot be checked right now (session store unavailable); try again later.");
        redisDown.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.header()
                .string("Retry-After", "5"));
        verifyNoInteractions(store, users);
    }
}
