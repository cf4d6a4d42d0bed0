package io.mqchat.history.conversations;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.history.TestSupport;
import io.mqchat.history.WebSliceConfig;
import io.mqchat.history.auth.CurrentLogins;
import io.mqchat.history.events.BusPublisher;
import io.mqchat.history.messages.HistoryService;
import io.mqchat.history.messages.StoredMessages;
import io.mqchat.history.users.RegisteredUsers;
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
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The conversation list and read receipts: validation, the JSON shape and the rules of the service, stores mocked. */
@WebMvcTest(ConversationController.class)
@Import({ConversationService.class, HistoryService.class, WebSliceConfig.class})
class ConversationControllerTest {

    private static final AccessTokens TOKENS = new AccessTokens(TestSupport.SECRET);
    private static final String ALICE_BOB = ConversationId.direct("alice", "bob").toString();
    private static final String ALICE_CAROL = ConversationId.direct("alice", "carol").toString();

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ConversationSummaries summaries;
    @MockitoBean
    StoredMessages messages;
    @MockitoBean
    BusPublisher bus;
    @MockitoBean
    RegisteredUsers users;
    @MockitoBean
    GroupDirectory groups;
    @MockitoBean
    CurrentLogins logins;

    @BeforeEach
    void everyTokenIsCurrent() {
        when(logins.isCurrent(any())).thenReturn(true);
        when(users.exists(anyString())).thenReturn(true);
        when(groups.groupsOf("alice")).thenReturn(Map.of());
    }

    private static String token(String user) {
        return "Bearer " + TOKENS.issue(user, "phone", Duration.ofMinutes(5));
    }

    private ResultActions list(String query) throws Exception {
        return mvc.perform(get("/api/v1/conversations" + query).header("Authorization", token("alice")));
    }

    private ResultActions read(String conv, String body) throws Exception {
        return mvc.perform(post("/api/v1/conversations/" + conv + "/read").header("Authorization", token("alice"))
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static void expectProblem(ResultActions result, int status, String detail) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    private static ConversationSummaries.Summary direct(String conv, String peer, long lastSeq) {
        return new ConversationSummaries.Summary("alice", conv, peer, lastSeq, 1000 + lastSeq,
                new ConversationSummaries.Preview("m" + lastSeq, peer, "text", "hi"), lastSeq - 1, 1);
    }

    /** The peers' read positions come from one query for the page, not one per row. */
    @Test
    void aPageReadsThePeersPositionsInOneQuery() throws Exception {
        when(summaries.recent(eq("alice"), anyMap(), eq(2), any(), any())).thenReturn(new ConversationSummaries.Page(
                List.of(direct(ALICE_BOB, "bob", 7), direct(ALICE_CAROL, "carol", 3)), true));
        when(summaries.readSeqsOf(anyMap())).thenReturn(Map.of(ALICE_BOB, 6L, ALICE_CAROL, 0L));

        list("?limit=2").andExpect(status().isOk())
                .andExpect(jsonPath("$.conversations[0].conv").value(ALICE_BOB))
                .andExpect(jsonPath("$.conversations[0].type").value("direct"))
                .andExpect(jsonPath("$.conversations[0].peerReadSeq").value(6))
                .andExpect(jsonPath("$.conversations[1].peerReadSeq").value(0))
                .andExpect(jsonPath("$.conversations[1].last.text").value("hi"))
                .andExpect(jsonPath("$.hasMore").value(true))
                .andExpect(jsonPath("$.cursor").isString());

        @SuppressWarnings("unchecked")
        ArgumentCaptor<Map<String, String>> asked = ArgumentCaptor.forClass(Map.class);
        verify(summaries, times(1)).readSeqsOf(asked.capture());
        assertThat(asked.getValue()).containsExactlyInAnyOrderEntriesOf(Map.of(ALICE_BOB, "bob", ALICE_CAROL, "carol"));
    }

    @Test
    void aBadLimitOrCursorIsAProblem() throws Exception {
        expectProblem(list("?limit=abc"), 400, "limit must be an integer");
        expectProblem(list("?limit=0"), 400, "limit must be a positive integer (at most 100 are returned)");
        expectProblem(list("?before=not-a-cursor"), 400, "before must be the cursor of an earlier page");
        verifyNoInteractions(summaries);
    }

    @Test
    void aLimitAboveTheMaximumIsClamped() throws Exception {
        when(summaries.recent(eq("alice"), anyMap(), anyInt(), any(), any()))
                .thenReturn(new ConversationSummaries.Page(List.of(), false));
        list("?limit=100000").andExpect(status().isOk()).andExpect(jsonPath("$.hasMore").value(false));
        verify(summaries).recent(eq("alice"), anyMap(), eq(ConversationController.MAX_LIMIT), any(), any());
    }

    @Test
    void withoutATokenTheListIsRefused() throws Exception {
        mvc.perform(get("/api/v1/conversations")).andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        verifyNoInteractions(summaries);
    }

    /** A read that moved the position tells both sides; one that did not tells nobody. */
    @Test
    void aReadReceiptThatMovesTellsTheCallersAndThePeersDevices() throws Exception {
        when(messages.maxSeq(ConversationId.parse(ALICE_BOB).orElseThrow())).thenReturn(9L);
        ConversationSummaries.Summary after = direct(ALICE_BOB, "bob", 9);
        when(summaries.markRead("alice", ConversationId.of(ALICE_BOB), 9)).thenReturn(new ConversationSummaries.ReadResult(
                new ConversationSummaries.Summary("alice", ALICE_BOB, "bob", 9, 1009, after.last(), 9, 0), true));

        read(ALICE_BOB, "{\"seq\": 50}").andExpect(status().isOk())
                .andExpect(jsonPath("$.readSeq").value(9))
                .andExpect(jsonPath("$.unread").value(0))
                .andExpect(jsonPath("$.mentioned").doesNotExist());
        ArgumentCaptor<BusMessage> told = ArgumentCaptor.forClass(BusMessage.class);
        verify(bus, times(2)).publish(told.capture());
        assertThat(told.getAllValues()).extracting(m -> ((BusMessage.Publish) m).topic()).containsExactly("chat/u/alice", "chat/u/bob");

        when(summaries.markRead("alice", ConversationId.of(ALICE_BOB), 9)).thenReturn(new ConversationSummaries.ReadResult(
                new ConversationSummaries.Summary("alice", ALICE_BOB, "bob", 9, 1009, after.last(), 9, 0), false));
        read(ALICE_BOB, "{\"seq\": 9}").andExpect(status().isOk());
        verify(bus, times(2)).publish(any());
    }

    @Test
    void aBadReadReceiptIsAProblemAndChangesNothing() throws Exception {
        expectProblem(read(ALICE_BOB, "{\"seq\": -1}"), 400, "seq must be an integer >= 0");
        expectProblem(read(ALICE_BOB, "{}"), 400, "seq must be an integer >= 0");
        read(ALICE_BOB, "{\"seq\": ").andExpect(status().isBadRequest());
        expectProblem(read("d:bob:carol", "{\"seq\": 1}"), 403, HistoryService.NOT_A_MEMBER);
        verify(summaries, never()).markRead(anyString(), org.mockito.ArgumentMatchers.any(ConversationId.class),
                org.mockito.ArgumentMatchers.anyLong());
        verifyNoInteractions(bus);
    }
}
