package io.mqchat.history.conversations;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.web.BearerTokenInterceptor;
import io.mqchat.web.ApiException;
import io.mqchat.web.PageLimit;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** The caller's conversations (recent first, with unread counts) and read receipts. */
@RestController
public class ConversationController {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /** The preview of the last message: its id, sender, type and (for text) the start of the text. */
    public record Last(String id, String from, String type, String text) {
    }

    /** {@code type} of a direct conversation. */
    public static final String DIRECT = "direct";
    /** {@code type} of a group conversation. */
    public static final String GROUP = "group";
    /** {@code type} of the system conversation {@code s:all} (the operators' broadcasts; read-only). */
    public static final String SYSTEM = "system";

    /**
     * One conversation as the caller sees it.
     *
     * @param type        {@value #DIRECT}, {@value #GROUP} or {@value #SYSTEM}
     * @param peer        direct conversations: the other user (null for groups)
     * @param groupId     group conversations: the group (null for direct ones)
     * @param readSeq     how far the caller has read (groups: at least the seq before the caller joined)
     * @param unread      other users' messages above readSeq (groups: server events not counted)
     * @param mentioned   groups: an unread message mentions the caller or "all" (always false for direct)
     * @param peerReadSeq for direct conversations: how far the other user has read (for "read" ticks)
     */
    public record ConversationView(String conv, String type, String peer, String groupId, long lastSeq, long lastTs,
                                   Last last, long readSeq, long unread, boolean mentioned, Long peerReadSeq) {
    }

    /** A page; {@code cursor} (opaque) continues with older conversations when {@code hasMore}. */
    public record ConversationPage(List<ConversationView> conversations, String cursor, boolean hasMore) {
    }

    /** {@code {"seq": N}}: everything up to N has been read. */
    public record ReadRequest(Long seq) {
    }

    /**
     * The caller's read position and unread count after a read receipt ({@code mentioned}: groups only, whether
     * an unread message still mentions the caller; absent for direct conversations).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReadResponse(String conv, long readSeq, long unread, Boolean mentioned) {
    }

    private static final PageLimit LIMIT = new PageLimit(DEFAULT_LIMIT, MAX_LIMIT);

    private final ConversationService conversations;

    public ConversationController(ConversationService conversations) {
        this.conversations = conversations;
    }

    @Operation(summary = "List your conversations, most recent activity first",
            description = "Direct conversations and the groups you are in, each with its type (direct/group), the "
                    + "last seq, a preview of the last message, your read position, your unread count, for groups "
                    + "groupId and whether an unread message mentions you, for direct conversations the peer's read "
                    + "position. Page with the returned cursor.")
    @GetMapping("/api/v1/conversations")
    public ConversationPage list(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                                 @Parameter(description = "1-100, default 20; larger values are clamped")
                                 @RequestParam(required = false) String limit,
                                 @Parameter(description = "the cursor of the previous page")
                                 @RequestParam(required = false) String before) {
        return conversations.list(caller, LIMIT.parse(limit), before == null ? null : Position.decode(before));
    }

    @Operation(summary = "Mark a conversation read up to a seq",
            description = "The read position is per user (all devices): it only moves forward, and is capped at "
                    + "the highest stored seq. When it moves, a read event {\"type\":\"read\",\"conv\",\"by\",\"upTo\",\"ts\"} "
                    + "goes to all of your devices and, for direct conversations, to the peer (for groups: to your "
                    + "devices only). Groups: members only; the answer also says whether an unread message still "
                    + "mentions you.")
    @PostMapping("/api/v1/conversations/{conv}/read")
    public ReadResponse read(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                             @PathVariable String conv, @RequestBody ReadRequest request) {
        if (request == null || request.seq() == null || request.seq() < 0) {
            throw ApiException.badRequest("seq must be an integer >= 0");
        }
        return conversations.read(caller, conv, request.seq());
    }

    /** Where a page of the list ended: (lastTs, conv), as opaque base64url text. */
    public record Position(long lastTs, String conv) {

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((lastTs + ":" + conv).getBytes(StandardCharsets.UTF_8));
        }

        public static Position decode(String text) {
            Optional<Position> p = Optional.empty();
            if (text.length() <= 200) {
                try {
                    String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                    int colon = plain.indexOf(':');
                    if (colon > 0) {
                        long ts = Long.parseLong(plain.substring(0, colon));
                        String conv = plain.substring(colon + 1);
                        if (ConversationId.parse(conv).isPresent()) {
                            p = Optional.of(new Position(ts, conv));
                        }
                    }
                } catch (IllegalArgumentException ignored) {
                    // reported below
                }
            }
            return p.orElseThrow(() -> ApiException.badRequest("before must be the cursor of an earlier page"));
        }
    }
}
