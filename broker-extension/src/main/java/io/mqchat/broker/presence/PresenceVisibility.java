package io.mqchat.broker.presence;

import io.mqchat.broker.cache.ExpiringCache;
import io.mqchat.common.presence.PresenceAudience;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Who may see whose presence, off the broker's threads: the rule of {@link PresenceAudience} (yourself; not whom
 * the subject blocked; then the subject's presence setting: users you exchanged direct messages with, both of you
 * sending one, and members of a group you share; or contacts only; or nobody). A yes is cached for {@link #TTL}
 * (a no is not: a reply or a new group unlocks at once); a block, a contact or a setting that changes is announced
 * on the bus, and a member who leaves a group is, and their yeses are forgotten at once ({@link #forget}).
 */
public final class PresenceVisibility {

    public static final Duration TTL = Duration.ofSeconds(30);
    private static final int MAX_CACHED = 100_000;

    private final PresenceAudience audience;
    private final Executor executor;
    private final Duration ttl;
    private final ExpiringCache<String, Boolean> decisions = new ExpiringCache<>(MAX_CACHED);

    public PresenceVisibility(PresenceAudience audience, Executor executor) {
        this(audience, executor, TTL);
    }

    public PresenceVisibility(PresenceAudience audience, Executor executor, Duration ttl) {
        this.audience = audience;
        this.executor = executor;
        this.ttl = ttl;
    }

    /** @param viewer and subject are valid user ids */
    public CompletableFuture<Boolean> maySee(String viewer, String subject) {
        if (viewer.equals(subject)) {
            return CompletableFuture.completedFuture(true);
        }
        // only a yes is kept: a no may turn into a yes by a reply or a new group, which nobody announces
        return decisions.get(viewer + "|" + subject, () -> audience.maySee(viewer, subject), executor,
                may -> may ? ttl : null);
    }

    /**
     * Forgets the decisions between the two, both ways (with {@code other} null: every decision about {@code user}),
     * so the next check reads the store. Also called for group membership changes, which the cache cannot see.
     */
    public void forget(String user, String other) {
        if (other != null) {
            decisions.remove(user + "|" + other);
            decisions.remove(other + "|" + user);
            return;
        }
        decisions.removeKeys(k -> k.startsWith(user + "|") || k.endsWith("|" + user));
    }

    /** Forgets every decision about these users; for many at once (a dissolved group), everything. */
    public void forgetAll(java.util.Collection<String> users) {
        if (users.size() > 20) {
            decisions.clear();
        } else {
            users.forEach(u -> forget(u, null));
        }
    }
}
