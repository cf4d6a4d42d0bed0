package io.mqchat.broker;

import io.mqchat.common.redis.SequenceAllocator;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.Topics;
import org.bson.types.ObjectId;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The store-before-ack pipeline of one chat publish, free of broker types: check the recipient,
 * allocate the conversation's next seq, store, and hand back the enriched message (or the original one
 * when the {@code (sender, cid)} was stored before).
 */
public final class MessageAcceptor {

    private static final int MAX_SEQ_CONFLICTS = 3;

    private final UserDirectory users;
    private final SequenceAllocator sequences;
    private final MessageStore store;
    private final Clock clock;

    /** The result: the stored message, and whether it was stored by an earlier attempt. */
    public record Accepted(ChatMessage message, boolean duplicate) {
    }

    public MessageAcceptor(UserDirectory users, SequenceAllocator sequences, MessageStore store, Clock clock) {
        this.users = users;
        this.sequences = sequences;
        this.store = store;
        this.clock = clock;
    }

    /** The store behind this pipeline (sync requests read through it). */
    MessageStore store() {
        return store;
    }

    /**
     * Completes with the accepted message, or exceptionally with a {@link ProtocolException} (refused,
     * nothing stored) or another exception (storage failed; the client retries with the same cid).
     */
    public CompletableFuture<Accepted> accept(ClientId sender, Topics.ChatTopic target, OutgoingMessage message,
                                              long deadlineNanos) {
        if (target.kind() != Topics.Kind.INBOX) {
            return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.NOT_AUTHORIZED,
                    "unknown group '" + target.id() + "'", message.cid()));
        }
        String peer = target.id();
        return users.exists(peer).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.UNKNOWN_RECIPIENT,
                        "no user '" + peer + "'", message.cid()));
            }
            String conv = ConversationId.direct(sender.userId(), peer).toString();
            return allocateAndStore(sender, peer, conv, message, deadlineNanos, 0);
        });
    }

    private CompletableFuture<Accepted> allocateAndStore(ClientId sender, String peer, String conv,
                                                         OutgoingMessage message, long deadlineNanos, int attempt) {
        return sequences.next(conv).toCompletableFuture().thenCompose(seq -> {
            ChatMessage chat = new ChatMessage(new ObjectId().toHexString(), conv, seq, sender.userId(), peer,
                    clock.millis(), sender.deviceType(), message.cid(), message.type(), message.body());
            return store.insert(chat, deadlineNanos);
        }).thenCompose(outcome -> {
            if (outcome instanceof MessageStore.Stored stored) {
                return CompletableFuture.completedFuture(new Accepted(stored.message(), false));
            }
            if (outcome instanceof MessageStore.Duplicate duplicate) {
                return CompletableFuture.completedFuture(new Accepted(duplicate.original(), true));
            }
            if (attempt + 1 >= MAX_SEQ_CONFLICTS) {
                throw new CompletionException(new IllegalStateException(
                        "seq for " + conv + " conflicted " + MAX_SEQ_CONFLICTS + " times"));
            }
            return sequences.resync(conv).toCompletableFuture()
                    .thenCompose(ignored -> allocateAndStore(sender, peer, conv, message, deadlineNanos, attempt + 1));
        });
    }
}
