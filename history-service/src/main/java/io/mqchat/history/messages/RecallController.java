package io.mqchat.history.messages;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.history.events.BusPublisher;
import io.mqchat.history.web.PlainJson;
import io.mqchat.web.ApiException;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** Recall of one's own message within the recall window (the same implementation as over MQTT). */
@RestController
public class RecallController {

    private final HistoryService history;
    private final MessageRecall recall;
    private final BusPublisher bus;

    public RecallController(HistoryService history, MessageRecall recall, BusPublisher bus) {
        this.history = history;
        this.recall = recall;
        this.bus = bus;
    }

    @Operation(summary = "Recall a message you sent",
            description = "Within the recall window (default 2 minutes) of the message's ts. The message keeps "
                    + "id, conv, seq, from, to, ts, dev and cid; its body is removed, its type becomes \"recalled\" and "
                    + "recalledAt is set. A recall event {\"type\":\"recall\",\"conv\",\"id\",\"msgSeq\",\"by\",\"ts\"} goes "
                    + "to every device of both sides (groups: to the group topic chat/g/{groupId}, i.e. every member's "
                    + "devices). Recalling a recalled message again answers 200 with it (no new event). 403: not a "
                    + "member (groups: a current member), or not your message; 404: unknown conversation or message; "
                    + "409: the window has passed (problem member code = recall_window_passed).")
    @PostMapping("/api/v1/conversations/{conv}/messages/{id}/recall")
    public Map<String, Object> recall(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                                      @PathVariable String conv, @PathVariable String id) {
        ConversationId c = history.member(caller.userId(), conv);
        if (id.length() > 64) {
            throw ApiException.notFound("No such message in this conversation.");
        }
        MessageRecall.Outcome outcome = recall.recall(caller.userId(), c.toString(), id);
        if (outcome instanceof MessageRecall.Recalled r) {
            r.announce((topic, event) -> bus.publish(BusMessage.publish(topic, event)));
            return PlainJson.of(r.message());
        }
        if (outcome instanceof MessageRecall.NotSender) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Only the sender may recall a message (in a group also its owner, and admins "
                    + "for plain members' messages).", "not_authorized");
        }
        if (outcome instanceof MessageRecall.TooLate t) {
            throw new ApiException(HttpStatus.CONFLICT, "A message can be recalled within "
                    + t.window().toSeconds() + " s of sending; this one is older.", "recall_window_passed");
        }
        throw new ApiException(HttpStatus.NOT_FOUND, "No such message in this conversation.", "unknown_message");
    }
}
