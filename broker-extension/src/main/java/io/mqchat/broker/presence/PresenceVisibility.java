package io.mqchat.broker.presence;

import io.mqchat.common.presence.PresenceAudience;
import io.mqchat.common.protocol.ConversationId;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Who may see whose presence, off the broker's threads: the rule of {@link PresenceAudience} (yourself,
 * users you exchanged direct messages with — both of you sent one — and members of a group you share).
 * Strangers learn nothing, and a stranger's unanswered message does not unlock anything.
 */
public final class PresenceVisibility {

    private final PresenceAudience audience;
    private final Executor executor;
    /** Mutual conversations seen: conversations are not deleted, so a yes stays a yes. */
    private final Set<String> mutual = ConcurrentHashMap.newKeySet();

    public PresenceVisibility(PresenceAudience audience, Executor executor) {
        this.audience = audience;
        this.executor = executor;
    }

    /** @param viewer and subject are valid user ids */
    public CompletableFuture<Boolean> maySee(String viewer, String subject) {
        if (viewer.equals(subject)) {
            return CompletableFuture.completedFuture(true);
        }
        String conv = ConversationId.direct(viewer, subject).toString();
        if (mutual.contains(conv)) {
            return CompletableFuture.completedFuture(true);
        }
        return CompletableFuture.supplyAsync(() -> {
            if (audience.mutualConversation(viewer, subject)) {
                mutual.add(conv);
                return true;
            }
            return audience.shareAGroup(viewer, subject); // not cached: members leave groups
        }, executor);
    }
}
