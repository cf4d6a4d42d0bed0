package io.mqchat.broker.ingest;

import io.mqchat.broker.cache.ExpiringCache;
import io.mqchat.common.contacts.DirectMessagePolicy;
import io.mqchat.common.contacts.Relations;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Whether a recipient takes direct messages (and signals) from a sender: not when either blocked the other, and
 * only from contacts when the recipient's {@code directMessages} setting says so. Decided from the store once per
 * pair and cached for {@link #TTL}; chat-api announces every change of a block, a contact or the setting on the
 * bus ({@link #forget}), so a cached answer does not outlive it on a node that hears the bus.
 */
public final class DirectMessageConsent {

    public static final Duration TTL = Duration.ofSeconds(30);
    private static final int MAX_CACHED = 100_000;

    private final Relations relations;
    private final Executor lookups;
    private final Duration ttl;
    private final ExpiringCache<String, Optional<String>> decisions = new ExpiringCache<>(MAX_CACHED);

    public DirectMessageConsent(Relations relations, Executor lookups, Duration ttl) {
        this.relations = relations;
        this.lookups = lookups;
        this.ttl = ttl;
    }

    /** Why {@code recipient} does not take {@code sender}'s direct messages; empty when it does. */
    public CompletableFuture<Optional<String>> refusal(String sender, String recipient) {
        if (sender.equals(recipient)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return decisions.get(key(sender, recipient), () -> decide(sender, recipient), lookups, refusal -> ttl);
    }

    private Optional<String> decide(String sender, String recipient) {
        if (relations.isBlocked(recipient, sender)) {
            // neutral: a blocked sender is not told that it was blocked
            return Optional.of("'" + recipient + "' does not accept your messages");
        }
        if (relations.isBlocked(sender, recipient)) {
            return Optional.of("you blocked '" + recipient + "'; unblock them (DELETE /api/v1/blocks/" + recipient
                    + ") to write to them");
        }
        DirectMessagePolicy policy = relations.directMessagePolicy(recipient).orElse(DirectMessagePolicy.DEFAULT);
        if (policy == DirectMessagePolicy.CONTACTS && !relations.areContacts(recipient, sender)) {
            return Optional.of("'" + recipient + "' takes direct messages from contacts only; send a contact request "
                    + "(POST /api/v1/contacts/requests)");
        }
        return Optional.empty();
    }

    /** Forgets what was decided between {@code user} and {@code other} (both ways), or about {@code user} at all. */
    public void forget(String user, String other) {
        if (other != null) {
            decisions.remove(key(user, other));
            decisions.remove(key(other, user));
            return;
        }
        String asSender = user + "|";
        String asRecipient = "|" + user;
        decisions.removeKeys(k -> k.startsWith(asSender) || k.endsWith(asRecipient));
    }

    private static String key(String sender, String recipient) {
        return sender + "|" + recipient;
    }
}
