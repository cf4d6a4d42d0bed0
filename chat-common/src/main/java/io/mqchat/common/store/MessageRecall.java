package io.mqchat.common.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import org.bson.Document;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import static io.mqchat.common.schema.StoreSchema.Conversation;
import static io.mqchat.common.schema.StoreSchema.Message;

/**
 * Recall: the sender takes back their own message within the recall window. The one implementation, used
 * by history-service (REST) and the broker extension (MQTT requests); the callers send the recall events.
 *
 * <p>The stored message keeps {@code id, conv, seq, from, to, ts, dev, cid}; its body is removed, its type
 * becomes {@value ChatMessage#RECALLED_TYPE} and {@code recalledAt} is set — one conditional update, so
 * the window and "only once" hold under races. Conversation previews showing the message are blanked.
 * Recalling a recalled message again is not an error: the answer is the recalled message, with
 * {@link Recalled#now()} false (and no new event).
 *
 * <p>Group messages (stored once, {@code to} = the group id): only the sender recalls, and only while a
 * member. With a {@link GroupDirectory} the membership is checked here — a user who is not a member now, or
 * joined after the message ({@code seq < fromSeq}), gets {@link NotFound}, a member who did not send it
 * {@link NotSender}. Without one the sender may recall (membership is the caller's check), a {@code conv}
 * given by the caller counts as checked membership for {@link NotSender}, and without a {@code conv} (a
 * message id only) anyone else gets {@link NotFound}. The group summary ({@code _id} = the conversation
 * id) has its preview blanked like a direct one.
 *
 * <p>Moderation: with a {@link GroupDirectory}, the group's owner may also recall anyone's message and an
 * admin a plain member's (or a former member's), at any age — the window is the sender's, not theirs. The
 * stored {@code recalledBy} and {@link Recalled#by()} name who did it, so the event can say so.
 *
 * <p>Removal by an admin of the service ({@link #removeByAdmin}): any message of any conversation, at any
 * age, stored as a recall with {@code recalledBy} the admin and {@code recallReason}; the caller checks the
 * role and sends the event.
 */
public final class MessageRecall {

    /** What a recall came to. */
    public sealed interface Outcome {
    }

    /**
     * The message is recalled; {@code now} is false when it had been recalled before; {@code by} recalled it
     * (the sender, or a group's owner or admin).
     */
    public record Recalled(ChatMessage message, boolean now, String by) implements Outcome {

        /** The recall event: what every device of the conversation is told, and the answer to a recall request. */
        public ServerEvent.Recall event() {
            return ServerEvent.Recall.byUser(message.conv().toString(), message.id(), message.seq(), by,
                    message.recalledAt());
        }

        /**
         * If this call recalled the message: the event to every device of the conversation, through
         * {@code publish(topic, json)} (both participants' inboxes, or once the group topic).
         */
        public void announce(BiConsumer<String, String> publish) {
            if (now) {
                String json = event().toJson();
                Topics.conversationTopics(message).forEach(topic -> publish.accept(topic, json));
            }
        }
    }

    /** No message with this id (in this conversation). */
    public record NotFound() implements Outcome {
    }

    /** The caller did not send the message. */
    public record NotSender() implements Outcome {
    }

    /** The window has passed. */
    public record TooLate(Duration window) implements Outcome {
    }

    /**
     * An admin's removal: the message as stored now; {@code now} false when it had been recalled or removed
     * before, {@code by} and {@code reason} (null for a recall) then being that earlier one's.
     */
    public record Removed(ChatMessage message, boolean now, String by, String reason) implements Outcome {
    }

    /** A group's event message (its record of membership and settings changes): not removed. */
    public record NotRemovable() implements Outcome {
    }

    private final MongoCollection<Document> messages;
    private final MongoCollection<Document> summaries;
    private final GroupDirectory groups;
    private final Duration window;
    private final Clock clock;

    /** Without a group directory: see the class comment for what that means for group messages. */
    public MessageRecall(MongoCollection<Document> messages, MongoCollection<Document> summaries, Duration window,
                         Clock clock) {
        this(messages, summaries, null, window, clock);
    }

    /** With {@code groups} (may be null), group messages are recalled only by their sender while a member. */
    public MessageRecall(MongoCollection<Document> messages, MongoCollection<Document> summaries, GroupDirectory groups,
                         Duration window, Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
        this.groups = groups;
        this.window = window;
        this.clock = clock;
    }

    public Duration window() {
        return window;
    }

    /**
     * Recalls message {@code id} for {@code user}. With {@code conv} non-null the message must be in that
     * conversation (REST, where the path names it); the caller has checked the user is a member.
     */
    public Outcome recall(String user, String conv, String id) {
        Document doc = messages.find(Filters.eq(Message.ID, id)).first();
        if (doc == null || (conv != null && !conv.equals(doc.getString(Message.CONV)))) {
            return new NotFound();
        }
        ChatMessage message = MessageDocuments.fromDocument(doc);
        if (message.conv().equals(ConversationId.SYSTEM)) {
            // a broadcast: its readers know it exists, none of them sent it
            return SystemConversation.readableBy(doc, user) ? new NotSender() : new NotFound();
        }
        boolean group = message.conv().isGroup();
        String groupId = message.conv().first();
        if (group) {
            // only members who may read the message learn that it exists
            if (groups != null && !mayRead(user, groupId, message.seq())) {
                return new NotFound();
            }
            if (ChatMessage.EVENT_TYPE.equals(message.type())) {
                return new NotSender(); // the group's record of its changes stays
            }
            if (!message.from().equals(user)) {
                if (groups != null && moderates(user, groupId, message.from())) {
                    return moderate(message, user);
                }
                return groups != null || conv != null ? new NotSender() : new NotFound();
            }
        } else if (!message.from().equals(user)) {
            // only members may learn that it exists: the sender of a message always is one
            return message.to().equals(user) ? new NotSender() : new NotFound();
        }
        if (message.recalled()) {
            return new Recalled(message, false, recalledBy(doc));
        }
        long now = clock.millis();
        if (now - message.ts() > window.toMillis()) {
            return new TooLate(window);
        }
        Document after = messages.findOneAndUpdate(Filters.and(Filters.eq(Message.ID, id), Filters.eq(Message.FROM, user),
                        Filters.exists(Message.RECALLED_AT, false), Filters.gte(Message.TS, now - window.toMillis())),
                Updates.combine(Updates.set(Message.TYPE, ChatMessage.RECALLED_TYPE), Updates.unset(Message.BODY), Updates.unset(Message.BODY_JSON),
                        Updates.set(Message.RECALLED_AT, now), Updates.set(Message.RECALLED_BY, user)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (after == null) {
            // lost a race with another recall of the same message (or the window closed just now)
            Document again = messages.find(Filters.eq(Message.ID, id)).first();
            if (again == null) {
                return new NotFound();
            }
            ChatMessage current = MessageDocuments.fromDocument(again);
            return current.recalled() ? new Recalled(current, false, recalledBy(again)) : new TooLate(window);
        }
        blankPreviews(message, group);
        return new Recalled(MessageDocuments.fromDocument(after), true, user);
    }

    /** A group's owner or admin removes a member's message (no window). */
    private Outcome moderate(ChatMessage message, String moderator) {
        if (message.recalled()) {
            Document doc = messages.find(Filters.eq(Message.ID, message.id())).first();
            return new Recalled(message, false, doc == null ? message.from() : recalledBy(doc));
        }
        long now = clock.millis();
        Document after = messages.findOneAndUpdate(Filters.and(Filters.eq(Message.ID, message.id()),
                        Filters.exists(Message.RECALLED_AT, false)),
                Updates.combine(Updates.set(Message.TYPE, ChatMessage.RECALLED_TYPE), Updates.unset(Message.BODY), Updates.unset(Message.BODY_JSON),
                        Updates.set(Message.RECALLED_AT, now), Updates.set(Message.RECALLED_BY, moderator)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (after == null) {
            Document again = messages.find(Filters.eq(Message.ID, message.id())).first();
            return again == null ? new NotFound()
                    : new Recalled(MessageDocuments.fromDocument(again), false, recalledBy(again));
        }
        blankPreviews(message, true);
        return new Recalled(MessageDocuments.fromDocument(after), true, moderator);
    }

    /**
     * An admin of the service removes message {@code id} for everyone, whoever sent it and however old it is:
     * one conditional update (so "only once" holds under races), then the previews are blanked as for a
     * recall. A message recalled or removed before is answered as it is, with {@link Removed#now()} false.
     */
    public Outcome removeByAdmin(String admin, String id, String reason) {
        Document doc = messages.find(Filters.eq(Message.ID, id)).first();
        if (doc == null) {
            return new NotFound();
        }
        ChatMessage message = MessageDocuments.fromDocument(doc);
        if (message.recalled()) {
            return new Removed(message, false, recalledBy(doc), doc.getString(Message.RECALL_REASON));
        }
        if (ChatMessage.EVENT_TYPE.equals(message.type())) {
            return new NotRemovable();
        }
        Document after = messages.findOneAndUpdate(Filters.and(Filters.eq(Message.ID, id),
                        Filters.exists(Message.RECALLED_AT, false)),
                Updates.combine(Updates.set(Message.TYPE, ChatMessage.RECALLED_TYPE), Updates.unset(Message.BODY),
                        Updates.unset(Message.BODY_JSON), Updates.set(Message.RECALLED_AT, clock.millis()),
                        Updates.set(Message.RECALLED_BY, admin), Updates.set(Message.RECALL_REASON, reason)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (after == null) {
            // recalled or removed by someone else just now
            Document again = messages.find(Filters.eq(Message.ID, id)).first();
            return again == null ? new NotFound() : new Removed(MessageDocuments.fromDocument(again), false,
                    recalledBy(again), again.getString(Message.RECALL_REASON));
        }
        // groups and the system conversation keep one shared preview
        blankPreviews(message, message.conv().sharedByReaders());
        return new Removed(MessageDocuments.fromDocument(after), true, admin, reason);
    }

    /** The owner moderates everyone; an admin moderates plain members and people no longer in the group. */
    private boolean moderates(String user, String groupId, String sender) {
        Optional<GroupMember> me = groups.member(groupId, user);
        if (me.isEmpty() || !me.get().isAdmin()) {
            return false;
        }
        if (me.get().role() == GroupRole.OWNER) {
            return true;
        }
        return groups.member(groupId, sender).map(s -> s.role() == GroupRole.MEMBER).orElse(true);
    }

    private static String recalledBy(Document doc) {
        String by = doc.getString(Message.RECALLED_BY);
        return by != null ? by : doc.getString(Message.FROM);
    }

    private void blankPreviews(ChatMessage message, boolean group) {
        String id = message.id();
        // previews of this message show no content any more: one per participant (direct) or the group's one;
        // by _id, so the update walks the primary key rather than the whole collection
        String conv = message.conv().toString();
        List<String> previews = group ? List.of(conv)
                : message.from().equals(message.to()) ? List.of(ConversationSummaries.id(message.from(), conv))
                : List.of(ConversationSummaries.id(message.from(), conv), ConversationSummaries.id(message.to(), conv));
        summaries.updateMany(Filters.and(Filters.in(Conversation.ID, previews),
                        Filters.eq(Conversation.CONV, conv), Filters.eq(Conversation.LAST + ".id", id)),
                Updates.combine(Updates.set(Conversation.LAST + ".type", ChatMessage.RECALLED_TYPE),
                        Updates.set(Conversation.LAST + ".text", null)));
        if (!group && !message.from().equals(message.to())) {
            // a recalled message is nothing to read: the recipient's unread count drops (groups count from the
            // messages, where recalled ones are left out)
            summaries.updateOne(Filters.eq(Conversation.ID, ConversationSummaries.id(message.to(), conv)),
                    Updates.pull(Conversation.UNREAD_SEQS, message.seq()));
        }
    }

    /** Whether {@code user} may see group message {@code seq} of {@code groupId}: a current member who joined before it. */
    private boolean mayRead(String user, String groupId, long seq) {
        return groups.member(groupId, user).filter(m -> seq >= m.fromSeq()).isPresent();
    }
}
