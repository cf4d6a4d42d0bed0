package io.mqchat.history.conversations;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.history.conversations.ConversationController.ConversationPage;
import io.mqchat.history.conversations.ConversationController.ConversationView;
import io.mqchat.history.conversations.ConversationController.Last;
import io.mqchat.history.conversations.ConversationController.ReadResponse;
import io.mqchat.history.events.BusPublisher;
import io.mqchat.history.messages.HistoryService;
import io.mqchat.history.messages.StoredMessages;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of the conversation list and of read receipts: what a caller's device may see of each preview,
 * the peers' read positions, who hears of a read.
 */
@Service
public class ConversationService {

    private final ConversationSummaries summaries;
    private final HistoryService history;
    private final StoredMessages messages;
    private final BusPublisher bus;
    private final HistoryPolicy policy;
    private final GroupDirectory groups;
    private final Clock clock = Clock.systemUTC();

    public ConversationService(ConversationSummaries summaries, HistoryService history, StoredMessages messages,
                               BusPublisher bus, HistoryPolicy policy, GroupDirectory groups) {
        this.summaries = summaries;
        this.history = history;
        this.messages = messages;
        this.bus = bus;
        this.policy = policy;
        this.groups = groups;
    }

    /** A page of the caller's conversations, most recent activity first, from {@code position} on (null: the top). */
    public ConversationPage list(AccessTokens.AccessToken caller, int pageSize, ConversationController.Position position) {
        // the groups the caller is in now, each from its first readable seq (a group left is not listed)
        ConversationSummaries.Page page = summaries.recent(caller.userId(), groups.groupsOf(caller.userId()), pageSize,
                position == null ? null : position.lastTs(), position == null ? null : position.conv());
        HistoryPolicy.Visibility visibility = policy.visibility(caller);
        Map<String, String> peers = new LinkedHashMap<>();
        page.summaries().stream().filter(s -> s.peer() != null).forEach(s -> peers.put(s.conv(), s.peer()));
        Map<String, Long> peerReads = summaries.readSeqsOf(peers);
        List<ConversationView> views = page.summaries().stream().map(s -> {
            // the preview is history too: no text of a message this device may not see
            boolean hidden = visibility.none() || s.lastTs() < visibility.notBeforeTs();
            Last last = s.last() == null ? null : new Last(s.last().id(), s.last().from(), s.last().type(),
                    hidden ? null : s.last().text());
            ConversationId id = ConversationId.parse(s.conv()).orElseThrow();
            boolean group = id.type() == ConversationId.Type.GROUP;
            String type = switch (id.type()) {
                case DIRECT -> ConversationController.DIRECT;
                case GROUP -> ConversationController.GROUP;
                case SYSTEM -> ConversationController.SYSTEM;
            };
            return new ConversationView(s.conv(), type,
                    s.peer(), group ? id.first() : null, s.lastSeq(), s.lastTs(), last, s.readSeq(), s.unread(),
                    s.mentioned(), s.peer() == null ? null : peerReads.getOrDefault(s.conv(), 0L));
        }).toList();
        String cursor = null;
        if (page.hasMore() && !views.isEmpty()) {
            ConversationView tail = views.get(views.size() - 1);
            cursor = new ConversationController.Position(tail.lastTs(), tail.conv()).encode();
        }
        return new ConversationPage(views, cursor, page.hasMore());
    }

    /**
     * Moves the caller's read position in {@code conv} up to {@code seq} (capped at the highest stored seq);
     * when it moved, a read event goes to the caller's devices and, in a direct conversation, to the peer's.
     */
    public ReadResponse read(AccessTokens.AccessToken caller, String conv, long seq) {
        if (seq < 0) {
            throw ApiException.badRequest("seq must be an integer >= 0");
        }
        HistoryService.Access access = history.access(caller.userId(), conv);
        ConversationId id = access.conv();
        long upTo = Math.min(seq, messages.maxSeq(id));
        if (id.sharedByReaders()) {
            return readGroup(caller.userId(), access, upTo);
        }
        ConversationSummaries.ReadResult result = summaries.markRead(caller.userId(), id, upTo);
        if (result.moved()) {
            long readSeq = result.summary().readSeq();
            String event = new ServerEvent.Read(id.toString(), caller.userId(), readSeq, clock.millis()).toJson();
            bus.publish(BusMessage.publish(Topics.inbox(caller.userId()), event));
            String peer = id.peerOf(caller.userId());
            if (!peer.equals(caller.userId())) {
                bus.publish(BusMessage.publish(Topics.inbox(peer), event));
            }
        }
        return new ReadResponse(id.toString(), result.summary().readSeq(), result.summary().unread(), null);
    }

    /**
     * A member's read receipt in a group (or any user's in the system conversation): their own document moves; unread and mentioned come from the group
     * view. The event goes to the reader's own devices only — telling every member of a large group about
     * every read would multiply the traffic by the group size.
     */
    private ReadResponse readGroup(String user, HistoryService.Access access, long seq) {
        String conv = access.conv().toString();
        // nothing before joining is the member's: reading "up to" there is reading up to the seq before it
        long upTo = Math.max(seq, access.fromSeq() - 1);
        ConversationSummaries.ReadResult result = summaries.markRead(user, access.conv(), upTo);
        long readSeq = Math.max(result.summary().readSeq(), access.fromSeq() - 1);
        Optional<ConversationSummaries.Summary> view = summaries.groupView(user, conv, access.fromSeq());
        if (result.moved() && upTo >= access.fromSeq()) { // below fromSeq it only caught up with the floor
            bus.publish(BusMessage.publish(Topics.inbox(user), new ServerEvent.Read(conv, user, readSeq, clock.millis()).toJson()));
        }
        return new ReadResponse(conv, view.map(ConversationSummaries.Summary::readSeq).orElse(readSeq),
                view.map(ConversationSummaries.Summary::unread).orElse(0L),
                view.map(ConversationSummaries.Summary::mentioned).orElse(false));
    }
}
