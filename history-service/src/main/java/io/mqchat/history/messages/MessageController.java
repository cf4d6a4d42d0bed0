package io.mqchat.history.messages;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.history.web.PlainJson;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** Paged history of one conversation. */
@RestController
public class MessageController {

    /**
     * A page of messages in ascending seq order.
     *
     * @param messages each as delivered over MQTT: id, conv, seq, from, to, ts, dev, cid, type, body
     * @param hasMore  whether more messages exist in the paging direction (older when paging backwards)
     */
    public record HistoryPage(String conv, List<Map<String, Object>> messages, boolean hasMore) {
    }

    private final HistoryService history;
    private final HistoryPolicy policy;

    public MessageController(HistoryService history, HistoryPolicy policy) {
        this.history = history;
        this.policy = policy;
    }

    @Operation(summary = "Read a conversation's messages",
            description = "afterSeq only: ascending from afterSeq+1. beforeSeq only: the newest `limit` with "
                    + "seq < beforeSeq. Both: the range between, ascending from afterSeq+1. Neither: the newest "
                    + "`limit`. afterTs/beforeTs bound the server time `ts` the same way (afterTs pages forward, beforeTs "
                    + "alone backward) and combine with the seq bounds. Always returned in ascending seq order. The "
                    + "device type's history policy applies: since-login hides messages older than the login, none "
                    + "returns no messages.")
    @GetMapping("/api/v1/conversations/{conv}/messages")
    public HistoryPage messages(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                                @PathVariable String conv,
                                @Parameter(description = "exclusive lower bound") @RequestParam(required = false) String afterSeq,
                                @Parameter(description = "exclusive upper bound") @RequestParam(required = false) String beforeSeq,
                                @Parameter(description = "exclusive lower bound on ts (ms since the epoch)")
                                @RequestParam(required = false) String afterTs,
                                @Parameter(description = "exclusive upper bound on ts (ms since the epoch)")
                                @RequestParam(required = false) String beforeTs,
                                @Parameter(description = "1-200, default 50; larger values are clamped to 200")
                                @RequestParam(required = false) String limit) {
        PageRequest page = PageRequest.parse(afterSeq, beforeSeq, afterTs, beforeTs, limit);
        StoredMessages.Slice slice = history.read(caller.userId(), conv, page, policy.visibility(caller));
        return new HistoryPage(conv, slice.messages().stream().map(PlainJson::of).toList(),
                slice.hasMore());
    }
}
