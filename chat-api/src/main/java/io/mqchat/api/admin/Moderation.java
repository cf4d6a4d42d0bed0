package io.mqchat.api.admin;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.api.devices.BrokerBus;
import io.mqchat.api.users.UserStore;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.schema.StoreSchema.Message;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.MessageDocuments;
import io.mqchat.common.store.MessageRecall;
import io.mqchat.web.ApiException;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Moderation by admins of the service: removing any message for everyone (stored as a recall naming the
 * admin and the reason, the recall event sent to every device of the conversation, recorded in the audit)
 * and listing what a user sent. Request values are validated here before they reach the store.
 */
@Service
public class Moderation {

    static final String REMOVED = "message_removed";
    private static final Logger log = LoggerFactory.getLogger(Moderation.class);
    /** Message ids are an ObjectId's hex text. */
    private static final Pattern MESSAGE_ID = Pattern.compile("[0-9a-f]{24}");

    private final MongoCollection<Document> messages;
    private final MessageRecall recall;
    private final ManagedAccounts accounts;
    private final AdminAudit audit;
    private final BrokerBus bus;
    private final UserStore users;

    public Moderation(MongoDatabase db, ManagedAccounts accounts, AdminAudit audit, BrokerBus bus, UserStore users) {
        this.messages = db.getCollection(StoreSchema.MESSAGES);
        // the window is the sender's; an admin's removal has none
        this.recall = new MessageRecall(messages, db.getCollection(StoreSchema.CONVERSATIONS), Duration.ZERO,
                Clock.systemUTC());
        this.accounts = accounts;
        this.audit = audit;
        this.bus = bus;
        this.users = users;
    }

    /**
     * Removes the message for everyone. Removing a message that is already removed or recalled is not an
     * error: the answer is its state ({@code changed} false), with no second event and no audit entry.
     */
    public ModerationDtos.Removal remove(String admin, String messageId, ModerationDtos.RemoveRequest request) {
        if (!isMessageId(messageId)) {
            throw unknownMessage();
        }
        if (request == null) {
            throw ApiException.badRequest("a body {\"reason\"} is required");
        }
        String reason = reason(request.reason());
        MessageRecall.Outcome outcome = recall.removeByAdmin(admin, messageId, reason);
        if (outcome instanceof MessageRecall.NotRemovable) {
            throw new ApiException(HttpStatus.CONFLICT, "Group events (the group's record of its changes) cannot be "
                    + "removed.", "not_removable");
        }
        if (!(outcome instanceof MessageRecall.Removed removed)) {
            throw unknownMessage();
        }
        ChatMessage m = removed.message();
        if (removed.now()) {
            audit.record(admin, REMOVED, m.id(), reason, null, null);
            announce(m, admin, reason);
        }
        return new ModerationDtos.Removal(view(m, removed.by(), removed.reason()), removed.now());
    }

    public ModerationDtos.MessageView message(String messageId) {
        if (!isMessageId(messageId)) {
            throw unknownMessage();
        }
        Document d = messages.find(Filters.eq(Message.ID, messageId)).first();
        if (d == null) {
            throw unknownMessage();
        }
        return view(d);
    }

    /**
     * What the user sent, in every conversation, newest first (by id: an ObjectId's text, which grows with
     * time), removed and recalled messages included. One bounded read of the {@code (from, _id)} index.
     */
    public ModerationDtos.MessagePage messagesOf(String userId, String before, Integer limit) {
        if (before != null && !isMessageId(before)) {
            throw ApiException.badRequest("before must be a message id (the next of the previous page)");
        }
        int n = AdminService.limit(limit);
        // a deleted account's messages stay, and so may be listed; so may the server's broadcasts ('system')
        if (!Ids.isValidUserId(userId) || (accounts.find(userId).isEmpty() && !users.isTombstoned(userId)
                && !userId.equals(Ids.SYSTEM_USER))) {
            throw ApiException.notFound("No such user.");
        }
        Bson filter = before == null ? Filters.eq(Message.FROM, userId)
                : Filters.and(Filters.eq(Message.FROM, userId), Filters.lt(Message.ID, before));
        List<ModerationDtos.MessageView> page = new ArrayList<>();
        for (Document d : messages.find(filter).sort(Sorts.descending(Message.ID)).limit(n + 1)) {
            page.add(view(d));
        }
        List<ModerationDtos.MessageView> shown = page.stream().limit(n).toList();
        return new ModerationDtos.MessagePage(shown, page.size() > n ? shown.get(n - 1).id() : null);
    }

    /**
     * The recall event, with the admin and the reason, to every device of the conversation: both participants'
     * inboxes, or once to the group topic (every member device is subscribed to it). The removal is stored
     * whatever happens here; a device that misses the event learns of it from sync's recall list.
     */
    private void announce(ChatMessage m, String admin, String reason) {
        String event = ServerEvent.Recall.byAdmin(m.conv().toString(), m.id(), m.seq(), admin, reason, m.recalledAt())
                .toJson();
        List<String> topics = m.conv().equals(ConversationId.SYSTEM) ? broadcastTopics(m.id())
                : Topics.conversationTopics(m);
        for (String topic : topics) {
            try {
                bus.send(BusMessage.publish(topic, event));
            } catch (RuntimeException e) {
                log.warn("Message {} removed, but its event to {} was not sent: {}", m.id(), topic, e.toString());
            }
        }
    }

    /** Where a broadcast went: everyone's broadcast topic, or the inboxes of the users it listed. */
    private List<String> broadcastTopics(String id) {
        Document d = messages.find(Filters.eq(Message.ID, id)).projection(Projections.include(Message.AUDIENCE)).first();
        List<String> audience = d == null ? null : d.getList(Message.AUDIENCE, String.class);
        return audience == null ? List.of(Topics.BROADCAST) : audience.stream().map(Topics::inbox).toList();
    }

    private static ModerationDtos.MessageView view(Document d) {
        String by = d.getString(Message.RECALLED_BY);
        return view(MessageDocuments.fromDocument(d), by != null ? by : d.getString(Message.FROM),
                d.getString(Message.RECALL_REASON));
    }

    private static ModerationDtos.MessageView view(ChatMessage m, String by, String reason) {
        boolean removed = m.recalled();
        return new ModerationDtos.MessageView(m.id(), m.conv().toString(), m.seq(), m.from(), m.to(), m.ts(), m.dev(), m.cid(),
                m.type(), m.body() == null ? null : Json.MAPPER.convertValue(m.body(), Object.class), m.mentions(), removed, m.recalledAt(), removed ? by : null, removed ? reason : null);
    }

    static boolean isMessageId(String id) {
        return id != null && MESSAGE_ID.matcher(id).matches();
    }

    private static ApiException unknownMessage() {
        return new ApiException(HttpStatus.NOT_FOUND, "No such message.", "unknown_message");
    }

    /** Required: trimmed, 1 to {@value AdminService#MAX_REASON} characters, no control characters. */
    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw ApiException.badRequest("reason is required (what clients show: removed by a moderator, and why)");
        }
        return AdminService.reason(reason);
    }
}
