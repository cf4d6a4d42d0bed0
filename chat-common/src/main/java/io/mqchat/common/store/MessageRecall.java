package io.mqchat.common.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.ChatMessage;
import org.bson.Document;

import java.time.Clock;
import java.time.Duration;

import static io.mqchat.common.store.StoreSchema.Conversation;
import static io.mqchat.common.store.StoreSchema.Message;

/**
 * Recall: the sender takes back their own message within the recall window. The one implementation, used
 * by history-service (REST) and the broker extension (MQTT requests); the callers send the recall events.
 *
 * <p>The stored message keeps {@code id, conv, seq, from, to, ts, dev, cid}; its body is removed, its type
 * becomes {@value ChatMessage#RECALLED_TYPE} and {@code recalledAt} is set — one conditional update, so
 * the window and "only once" hold under races. Conversation previews showing the message are blanked.
 * Recalling a recalled message again is not an error: the answer is the recalled message, with
 * {@link Recalled#now()} false (and no new event).
 */
public final class MessageRecall {

    /** What a recall came to. */
    public sealed interface Outcome {
    }

    /** The message is recalled; {@code now} is false when it had been recalled before. */
    public record Recalled(ChatMessage message, boolean now) implements Outcome {
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

    private final MongoCollection<Document> messages;
    private final MongoCollection<Document> summaries;
    private final Duration window;
    private final Clock clock;

    public MessageRecall(MongoCollection<Document> messages, MongoCollection<Document> summaries, Duration window,
                         Clock clock) {
        this.messages = messages;
        this.summaries = summaries;
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
        if (!message.from().equals(user)) {
            // only members may learn that it exists: the sender of a message always is one
            return message.to().equals(user) ? new NotSender() : new NotFound();
        }
        if (message.recalled()) {
            return new Recalled(message, false);
        }
        long now = clock.millis();
        if (now - message.ts() > window.toMillis()) {
            return new TooLate(window);
        }
        Document after = messages.findOneAndUpdate(Filters.and(Filters.eq(Message.ID, id), Filters.eq(Message.FROM, user),
                        Filters.exists(Message.RECALLED_AT, false), Filters.gte(Message.TS, now - window.toMillis())),
                Updates.combine(Updates.set(Message.TYPE, ChatMessage.RECALLED_TYPE), Updates.unset(Message.BODY),
                        Updates.set(Message.RECALLED_AT, now)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (after == null) {
            // lost a race with another recall of the same message (or the window closed just now)
            Document again = messages.find(Filters.eq(Message.ID, id)).first();
            if (again == null) {
                return new NotFound();
            }
            ChatMessage current = MessageDocuments.fromDocument(again);
            return current.recalled() ? new Recalled(current, false) : new TooLate(window);
        }
        // previews of this message (one per participant) show no content any more
        summaries.updateMany(Filters.and(Filters.eq(Conversation.CONV, message.conv()),
                        Filters.eq(Conversation.LAST + ".id", id)),
                Updates.combine(Updates.set(Conversation.LAST + ".type", ChatMessage.RECALLED_TYPE),
                        Updates.set(Conversation.LAST + ".text", null)));
        return new Recalled(MessageDocuments.fromDocument(after), true);
    }
}
