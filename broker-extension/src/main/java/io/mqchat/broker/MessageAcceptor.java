package io.mqchat.broker;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.sync.SyncEngine;
import org.bson.types.ObjectId;

import java.time.Instant;

import java.time.Clock;
import java.time.Duration;
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
    private final RateLimiter limiter;
    private final RateLimit userPublish;
    private final Duration retryWindow;
    private final Clock clock;

    /**
     * How long after its first attempt a message's seq may still be filled by a retry. Sync declares a hole
     * permanent once a later message is older than the store timeout plus {@link SyncEngine#DEFAULT_MARGIN}; a retry
     * stored within its own store timeout of reusing the seq stays ahead of that, with half the margin to spare for
     * clocks that differ between nodes.
     */
    static final Duration SEQ_REUSE = SyncEngine.DEFAULT_MARGIN.dividedBy(2);

    /** The result: the stored message, and whether it was stored by an earlier attempt. */
    public record Accepted(ChatMessage message, boolean duplicate) {
    }

    /**
     * @param userPublish the per-account publish limit, shared by all nodes through {@code limiter}
     * @param retryWindow how long an attempt's seq stays reserved for retries of its {@code (sender, cid)}
     */
    public MessageAcceptor(UserDirectory users, GroupMembership groups, SequenceAllocator sequences, MessageStore store,
                           RateLimiter limiter, RateLimit userPublish, Duration retryWindow, Clock clock) {
        this.limiter = limiter;
        this.userPublish = userPublish;
        this.retryWindow = retryWindow;
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
        return withinRate(sender, message.cid())
                .thenCompose(ignored -> checkAndStore(sender, target, message, deadlineNanos));
    }

    /**
     * Takes one publish from the sender account's bucket (chat messages and requests alike); fails with a
     * {@code rate_limited} {@link ProtocolException} when it is empty.
     */
    public CompletableFuture<Void> withinRate(ClientId sender, String cid) {
        if (userPublish.isOff()) {
            return CompletableFuture.completedFuture(null);
        }
        return limiter.tryTake("publish", sender.userId(), userPublish).toCompletableFuture().thenCompose(decision ->
                decision.allowed() ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.failedFuture(new ProtocolException(ProtocolError.RATE_LIMITED,
                        "your account may publish " + userPublish + "; retry in " + decision.retryAfterMillis()
                                + " ms" + (cid == null ? "" : " with the same cid"), cid)));
    }

    private CompletableFuture<Accepted> checkAndStore(ClientId sender, Topics.ChatTopic target, OutgoingMessage message,
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

    /**
     * Takes a seq (or the one an earlier attempt of this cid reserved) and stores the message. A retry whose first
     * attempt was stored is answered with the original without taking a new seq, so retries leave no holes.
     */
    private CompletableFuture<Accepted> allocateAndStore(ClientId sender, String peer, String conv,
                                                         OutgoingMessage message, long deadlineNanos, int attempt) {
        long now = clock.millis();
        return sequences.next(conv, sender.userId(), message.cid(), now, retryWindow, attempt > 0).toCompletableFuture()
                .thenCompose(allocation -> {
                    if (!allocation.retried()) {
                        return store(sender, peer, conv, message, allocation.seq(), deadlineNanos, attempt);
                    }
                    return store.findByClientId(sender.userId(), message.cid()).thenCompose(original -> {
                        if (original.isPresent()) {
                            return CompletableFuture.completedFuture(new Accepted(original.get(), true));
                        }
                        if (clock.millis() - allocation.allocatedAt() < SEQ_REUSE.toMillis()) {
                            // the first attempt was not stored (yet): fill its seq
                            return store(sender, peer, conv, message, allocation.seq(), deadlineNanos, attempt);
                        }
                        // too late to fill: sync may have declared that seq a hole already
                        return sequences.next(conv, sender.userId(), message.cid(), clock.millis(), retryWindow, true)
                                .toCompletableFuture().thenCompose(fresh ->
                                        store(sender, peer, conv, message, fresh.seq(), deadlineNanos, attempt));
                    });
                });
    }

    private CompletableFuture<Accepted> store(ClientId sender, String peer, String conv, OutgoingMessage message,
                                              long seq, long deadlineNanos, int attempt) {
        ChatMessage chat = new ChatMessage(new ObjectId().toHexString(), conv, seq, sender.userId(), peer,
                clock.millis(), sender.deviceType(), message.cid(), message.type(), message.body(), null,
                message.mentions());
        return store.insert(chat, deadlineNanos).thenCompose(outcome -> {
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
            // the counter was behind the store (Redis lost state): move it past, then take a new seq
            return sequences.resync(conv).toCompletableFuture()
                    .thenCompose(ignored -> allocateAndStore(sender, peer, conv, message, deadlineNanos, attempt + 1));
        });
    }
}
