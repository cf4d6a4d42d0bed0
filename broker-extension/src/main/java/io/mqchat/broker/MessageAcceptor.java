package io.mqchat.broker;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.redis.SequenceAllocator;
import org.bson.types.ObjectId;

import java.time.Instant;

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
    private final GroupMembership groups;
    private final SequenceAllocator sequences;
    private final MessageStore store;
    private final Clock clock;

    /** The result: the stored message, and whether it was stored by an earlier attempt. */
    public record Accepted(ChatMessage message, boolean duplicate) {
    }

    public MessageAcceptor(UserDirectory users, GroupMembership groups, SequenceAllocator sequences, MessageStore store,
                           Clock clock) {
        this.users = users;
        this.groups = groups;
        this.sequences = sequences;
        this.store = store;
        this.clock = clock;
    }

    /** The groups this pipeline checks against. */
    GroupMembership groups() {
        return groups;
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
        if (target.kind() == Topics.Kind.GROUP) {
            return acceptGroup(sender, target.id(), message, deadlineNanos);
        }
        if (!message.mentions().isEmpty()) {
            return refused(ProtocolError.INVALID_FIELD, "'mentions' are for group messages", message);
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

    /** Membership, mutes and mentions are checked against the cached group; then one stored message for all. */
    private CompletableFuture<Accepted> acceptGroup(ClientId sender, String groupId, OutgoingMessage message,
                                                    long deadlineNanos) {
        return groups.snapshot(groupId).thenCompose(snapshot -> {
            if (snapshot.isEmpty()) {
                return refused(ProtocolError.UNKNOWN_RECIPIENT, "no group '" + groupId + "'", message);
            }
            GroupDirectory.Snapshot group = snapshot.get();
            GroupDirectory.Member me = group.members().get(sender.userId());
            if (me == null) {
                return refused(ProtocolError.NOT_AUTHORIZED, "you are not a member of group '" + groupId + "'", message);
            }
            long now = clock.millis();
            if (me.mutedAt(now)) {
                return refused(ProtocolError.MUTED, "you are muted in this group until "
                        + Instant.ofEpochMilli(me.mutedUntil()), message);
            }
            if (group.mutedAll() && !me.isAdmin()) {
                return refused(ProtocolError.MUTED, "the group is muted: only admins and the owner may speak", message);
            }
            for (String mentioned : message.mentions()) {
                if (mentioned.equals(ChatMessage.MENTION_ALL) && !me.isAdmin()) {
                    return refused(ProtocolError.NOT_AUTHORIZED, "only admins and the owner may mention all", message);
                }
                if (!mentioned.equals(ChatMessage.MENTION_ALL) && !group.members().containsKey(mentioned)) {
                    return refused(ProtocolError.INVALID_FIELD, "'" + mentioned + "' in 'mentions' is not a member",
                            message);
                }
            }
            return allocateAndStore(sender, groupId, ConversationId.group(groupId).toString(), message, deadlineNanos, 0);
        });
    }

    private static <T> CompletableFuture<T> refused(ProtocolError error, String detail, OutgoingMessage message) {
        return CompletableFuture.failedFuture(new ProtocolException(error, detail, message.cid()));
    }

    private CompletableFuture<Accepted> allocateAndStore(ClientId sender, String peer, String conv,
                                                         OutgoingMessage message, long deadlineNanos, int attempt) {
        return sequences.next(conv).toCompletableFuture().thenCompose(seq -> {
            ChatMessage chat = new ChatMessage(new ObjectId().toHexString(), conv, seq, sender.userId(), peer,
                    clock.millis(), sender.deviceType(), message.cid(), message.type(), message.body(), null,
                    message.mentions());
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
