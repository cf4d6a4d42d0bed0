package io.mqchat.broker.ingest;

import io.mqchat.broker.delivery.DeliveryOrder;
import io.mqchat.broker.groups.GroupMembership;
import io.mqchat.broker.services.ServiceAccounts;
import io.mqchat.broker.store.MessageStore;
import io.mqchat.broker.store.MessageWrites;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.OutgoingMessage;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.store.ConversationLog;
import io.mqchat.common.sync.SyncEngine;
import org.bson.types.ObjectId;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The store-before-ack pipeline of one chat publish, free of broker types, in two steps. {@link #admit} decides
 * whether the message may be queued (rate, recipient, membership, mutes, mentions); it completes at once when
 * the caches answer, which lets the publish interceptor decide without holding the connection's queue.
 * {@link #store} takes the conversation's next seq (from the batching {@link SequenceQueue}) and stores,
 * handing back the enriched message (or the original one when the {@code (sender, cid)} was stored before).
 */
public final class MessageAcceptor {


    private final UserDirectory users;
    private final GroupMembership groups;
    private final SequenceQueue sequences;
    private final MessageWrites store;
    private final PublishRate rate;
    private final ServiceAccounts services;
    private final DirectMessageConsent consent;
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
     * A message that passed the checks: its conversation, the peer (user or group id), and whether a service account
     * sends it.
     */
    public record Admitted(ConversationId conv, String peer, boolean service) {

        public Admitted(ConversationId conv, String peer) {
            this(conv, peer, false);
        }
    }

    /**
     * Where a message's seq goes while it is being stored, told on the thread that allocated it, in allocation
     * order (which is what lets deliveries wait for earlier seqs: {@link DeliveryOrder}).
     */
    public interface SeqListener {
        /** A seq was taken for this attempt; {@code fresh} is false for a seq an earlier attempt had taken. */
        void allocated(String conv, long seq, boolean fresh);

        /** The seq will not be stored by this attempt (it became a hole, or was taken by another message). */
        void abandoned(String conv, long seq);

        SeqListener NONE = new SeqListener() {
            @Override
            public void allocated(String conv, long seq, boolean fresh) {
            }

            @Override
            public void abandoned(String conv, long seq) {
            }
        };
    }

    public MessageAcceptor(UserDirectory users, GroupMembership groups, SequenceQueue sequences, MessageWrites store,
                           PublishRate rate, ServiceAccounts services, DirectMessageConsent consent, Clock clock) {
        this.consent = consent;
        this.services = services;
        this.rate = rate;
        this.users = users;
        this.groups = groups;
        this.sequences = sequences;
        this.store = store;
        this.clock = clock;
    }

    /** Who takes whose direct messages. */
    DirectMessageConsent consent() {
        return consent;
    }

    /** The users this pipeline checks recipients against. */
    UserDirectory users() {
        return users;
    }

    /** The groups this pipeline checks against. */
    GroupMembership groups() {
        return groups;
    }

    /** The per-account publish limit (requests count against it too). */
    PublishRate rate() {
        return rate;
    }

    /**
     * Completes with where the message goes, or exceptionally with a {@link ProtocolException} (refused) or
     * another exception (a lookup failed). Already complete when the rate lease and the caches answer.
     */
    public CompletableFuture<Admitted> admit(ClientId sender, Topics.ChatTopic target, OutgoingMessage message) {
        return admit(sender, false, target, message);
    }

    /**
     * The same for a connection that may be a service account's ({@code service}): its account's scopes and rate
     * limit apply in place of a user's (a cached lookup, so also complete at once most of the time).
     */
    public CompletableFuture<Admitted> admit(ClientId sender, boolean service, Topics.ChatTopic target,
                                             OutgoingMessage message) {
        if (service) {
            return services.find(sender.userId()).thenCompose(account -> admitService(sender, account, target, message));
        }
        CompletableFuture<Void> within = rate.take(sender.userId(), message.cid());
        if (within.isDone() && !within.isCompletedExceptionally()) {
            return check(sender, target, message);
        }
        return within.thenCompose(ignored -> check(sender, target, message));
    }

    private CompletableFuture<Admitted> admitService(ClientId sender, Optional<ServiceAccount> found,
                                                     Topics.ChatTopic target, OutgoingMessage message) {
        if (found.isEmpty() || found.get().disabled()) {
            return refused(ProtocolError.NOT_AUTHORIZED, "this service account is disabled", message);
        }
        ServiceAccount account = found.get();
        Optional<String> outside = target.kind() == Topics.Kind.GROUP ? account.scopes().refusalToPost(target.id())
                : account.scopes().refusalToMessage(target.id());
        if (outside.isPresent()) {
            return refused(ProtocolError.NOT_AUTHORIZED, outside.get(), message);
        }
        return rate.take(sender.userId(), account.rateLimit(), message.cid())
                .thenCompose(ignored -> check(sender, target, message))
                .thenApply(admitted -> new Admitted(admitted.conv(), admitted.peer(), true));
    }

    private CompletableFuture<Admitted> check(ClientId sender, Topics.ChatTopic target, OutgoingMessage message) {
        if (target.kind() == Topics.Kind.GROUP) {
            return checkGroup(sender, target.id(), message);
        }
        if (!message.mentions().isEmpty()) {
            return refused(ProtocolError.INVALID_FIELD, "'mentions' are for group messages", message);
        }
        String peer = target.id();
        return users.find(peer).thenCompose(recipient -> switch (recipient) {
            case REGISTERED -> consent.refusal(sender.userId(), peer).thenCompose(refusal -> refusal.isPresent()
                    ? refused(ProtocolError.NOT_AUTHORIZED, refusal.get(), message)
                    : CompletableFuture.completedFuture(new Admitted(ConversationId.direct(sender.userId(), peer), peer)));
            case DELETED -> refused(ProtocolError.UNKNOWN_RECIPIENT, "the account '" + peer + "' was deleted", message);
            case UNKNOWN -> refused(ProtocolError.UNKNOWN_RECIPIENT, "no user '" + peer + "'", message);
        });
    }

    /** Membership, mutes and mentions are checked against the cached group. */
    private CompletableFuture<Admitted> checkGroup(ClientId sender, String groupId, OutgoingMessage message) {
        return groups.snapshot(groupId).thenCompose(snapshot -> {
            if (snapshot.isEmpty()) {
                return refused(ProtocolError.UNKNOWN_RECIPIENT, "no group '" + groupId + "'", message);
            }
            GroupDirectory.Snapshot group = snapshot.get();
            GroupMember me = group.members().get(sender.userId());
            if (me == null) {
                return refused(ProtocolError.NOT_AUTHORIZED, "you are not a member of group '" + groupId + "'", message);
            }
            if (me.mutedAt(clock.instant())) {
                return refused(ProtocolError.MUTED, "you are muted in this group until "
                        + me.mutedUntil(), message);
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
            return CompletableFuture.completedFuture(new Admitted(ConversationId.group(groupId), groupId));
        });
    }

    private static <T> CompletableFuture<T> refused(ProtocolError error, String detail, OutgoingMessage message) {
        return CompletableFuture.failedFuture(new ProtocolException(error, detail, message.cid()));
    }

    /**
     * Takes a seq (or the one an earlier attempt of this cid reserved) and stores the message. A retry whose first
     * attempt was stored is answered with the original without taking a new seq, so retries leave no holes.
     * Completes exceptionally with a {@link ProtocolException} (the message cannot be stored) or another
     * exception (storage failed; the client retries with the same cid).
     */
    public CompletableFuture<Accepted> store(ClientId sender, Admitted admitted, OutgoingMessage message,
                                             long deadlineNanos, SeqListener seqs) {
        return allocateAndStore(sender, admitted, message, deadlineNanos, 0, seqs);
    }

    private CompletableFuture<Accepted> allocateAndStore(ClientId sender, Admitted admitted, OutgoingMessage message,
                                                         long deadlineNanos, int attempt, SeqListener seqs) {
        ConversationId conv = admitted.conv();
        return sequences.allocate(conv.toString(), sender.userId(), message.cid(), attempt > 0, seqs).thenCompose(allocation -> {
            if (!allocation.retried()) {
                return store(sender, admitted, message, allocation.seq(), deadlineNanos, attempt, seqs);
            }
            return store.findByClientId(sender.userId(), message.cid()).thenCompose(original -> {
                if (original.isPresent()) {
                    return CompletableFuture.completedFuture(new Accepted(original.get(), true));
                }
                if (clock.millis() - allocation.allocatedAt() < SEQ_REUSE.toMillis()) {
                    // the first attempt was not stored (yet): fill its seq
                    return store(sender, admitted, message, allocation.seq(), deadlineNanos, attempt, seqs);
                }
                // too late to fill: sync may have declared that seq a hole already
                return sequences.allocate(conv.toString(), sender.userId(), message.cid(), true, seqs).thenCompose(fresh ->
                        store(sender, admitted, message, fresh.seq(), deadlineNanos, attempt, seqs));
            });
        });
    }

    private CompletableFuture<Accepted> store(ClientId sender, Admitted admitted, OutgoingMessage message,
                                              long seq, long deadlineNanos, int attempt, SeqListener seqs) {
        ConversationId conv = admitted.conv();
        ChatMessage chat = new ChatMessage(new ObjectId().toHexString(), conv, seq, sender.userId(), admitted.peer(),
                clock.millis(), sender.deviceType(), message.cid(), message.type(), message.body(), null,
                message.mentions(), admitted.service());
        return store.insert(chat, deadlineNanos).thenCompose(outcome -> {
            if (outcome instanceof MessageStore.Stored stored) {
                return CompletableFuture.completedFuture(new Accepted(stored.message(), false));
            }
            seqs.abandoned(conv.toString(), seq);
            if (outcome instanceof MessageStore.Duplicate duplicate) {
                return CompletableFuture.completedFuture(new Accepted(duplicate.original(), true));
            }
            if (attempt + 1 >= ConversationLog.MAX_SEQ_CONFLICTS) {
                throw new CompletionException(new IllegalStateException(
                        "seq for " + conv + " conflicted " + ConversationLog.MAX_SEQ_CONFLICTS + " times"));
            }
            // the counter was behind the store (Redis lost state): move it past, then take a new seq
            return sequences.resync(conv.toString()).thenCompose(ignored ->
                    allocateAndStore(sender, admitted, message, deadlineNanos, attempt + 1, seqs));
        });
    }
}
