package io.mqchat.history.conversations;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.web.BearerTokenInterceptor;
import io.mqchat.history.events.BusPublisher;
import io.mqchat.history.messages.HistoryService;
import io.mqchat.history.messages.MessageController;
import io.mqchat.history.messages.MessageStore;
import io.mqchat.web.ApiException;
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
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * One conversation as the caller sees it.
     *
     * @param type        {@value #DIRECT} or {@value #GROUP}
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

    private final ConversationSummaries summaries;
    private final HistoryService history;
    private final MessageStore messages;
    private final BusPublisher bus;
    private final HistoryPolicy policy;
    private final GroupDirectory groups;
    private final Clock clock = Clock.systemUTC();

    public ConversationController(ConversationSummaries summaries, HistoryService history, MessageStore messages,
                                  BusPublisher bus, HistoryPolicy policy, GroupDirectory groups) {
        this.policy = policy;
        this.groups = groups;
        this.summaries = summaries;
        this.history = history;
        this.messages = messages;
        this.bus = bus;
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
        int pageSize = parseLimit(limit);
        Position position = before == null ? null : Position.decode(before);
        // the groups the caller is in now, each from its first readable seq (a group left is not listed)
        ConversationSummaries.Page page = summaries.recent(caller.userId(), groups.groupsOf(caller.userId()), pageSize,
                position == null ? null : position.lastTs(), position == null ? null : position.conv());
        HistoryPolicy.Visibility visibility = MessageController.visibility(policy, caller);
        List<ConversationView> views = page.summaries().stream().map(s -> {
            Long peerRead = null;
            if (s.peer() != null) {
                peerRead = summaries.readSeqs(s.conv(), List.of(s.peer())).getOrDefault(s.peer(), 0L);
            }
            // the preview is history too: no text of a message this device may not see
            boolean hidden = visibility.none() || s.lastTs() < visibility.notBeforeTs();
            Last last = s.last() == null ? null : new Last(s.last().id(), s.last().from(), s.last().type(),
                    hidden ? null : s.last().text());
            ConversationId id = ConversationId.parse(s.conv()).orElseThrow();
            boolean group = id.type() == ConversationId.Type.GROUP;
            return new ConversationView(s.conv(), group ? GROUP : DIRECT, s.peer(), group ? id.first() : null,
                    s.lastSeq(), s.lastTs(), last, s.readSeq(), s.unread(), s.mentioned(), peerRead);
        }).toList();
        String cursor = null;
        if (page.hasMore() && !views.isEmpty()) {
            ConversationView tail = views.get(views.size() - 1);
            cursor = new Position(tail.lastTs(), tail.conv()).encode();
        }
        return new ConversationPage(views, cursor, page.hasMore());
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
        HistoryService.Access access = history.access(caller.userId(), conv);
        ConversationId id = access.conv();
        long seq = Math.min(request.seq(), messages.maxSeq(id));
        if (access.isGroup()) {
            return readGroup(caller.userId(), access, seq);
        }
        ConversationSummaries.ReadResult result = summaries.markRead(caller.userId(), id.toString(), seq);
        if (result.moved()) {
            long readSeq = result.summary().readSeq();
            String event = ServerEvent.read(id.toString(), caller.userId(), readSeq, clock.millis());
            bus.publish(BusMessage.publish(Topics.inbox(caller.userId()), event));
            String peer = id.peerOf(caller.userId());
            if (!peer.equals(caller.userId())) {
                bus.publish(BusMessage.publish(Topics.inbox(peer), event));
            }
        }
        return new ReadResponse(id.toString(), result.summary().readSeq(), result.summary().unread(), null);
    }

    /**
     * A member's read receipt in a group: their own document moves; unread and mentioned come from the group
     * view. The event goes to the reader's own devices only — telling every member of a large group about
     * every read would multiply the traffic by the group size.
     */
    private ReadResponse readGroup(String user, HistoryService.Access access, long seq) {
        String conv = access.conv().toString();
        // nothing before joining is the member's: reading "up to" there is reading up to the seq before it
        long upTo = Math.max(seq, access.fromSeq() - 1);
        ConversationSummaries.ReadResult result = summaries.markRead(user, conv, upTo);
        long readSeq = Math.max(result.summary().readSeq(), access.fromSeq() - 1);
        Optional<ConversationSummaries.Summary> view = summaries.groupView(user, conv, access.fromSeq());
        if (result.moved() && upTo >= access.fromSeq()) { // below fromSeq it only caught up with the floor
            bus.publish(BusMessage.publish(Topics.inbox(user), ServerEvent.read(conv, user, readSeq, clock.millis())));
        }
        return new ReadResponse(conv, view.map(ConversationSummaries.Summary::readSeq).orElse(readSeq),
                view.map(ConversationSummaries.Summary::unread).orElse(0L),
                view.map(ConversationSummaries.Summary::mentioned).orElse(false));
    }

    static int parseLimit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        long value;
        try {
            value = Long.parseLong(limit.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be an integer");
        }
        if (value <= 0) {
            throw ApiException.badRequest("limit must be a positive integer (at most " + MAX_LIMIT + " are returned)");
        }
        return (int) Math.min(value, MAX_LIMIT);
    }

    /** Where a page of the list ended: (lastTs, conv), as opaque base64url text. */
    record Position(long lastTs, String conv) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((lastTs + ":" + conv).getBytes(StandardCharsets.UTF_8));
        }

        static Position decode(String text) {
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
