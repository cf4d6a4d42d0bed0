package io.mqchat.broker.groups;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.groups.GroupMember;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The members of each group as this broker node last read them, for the checks at publish and subscribe
 * time. A group is read once (all members, mute state) and kept until chat-api announces a change on the
 * bus ({@link #invalidate}) or the time to live passes — the latter only bounds the damage of a lost
 * announcement. Loads of the same group share one query.
 */
public final class GroupMembership {

    private static final int MAX_CACHED = 10_000;

    private final GroupDirectory directory;
    private final Executor executor;
    private final long ttlNanos;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Timer hits;
    private final Timer misses;

    private record Entry(CompletableFuture<Optional<GroupDirectory.Snapshot>> snapshot, long expiresAtNanos) {
    }

    public GroupMembership(GroupDirectory directory, Executor executor, Duration ttl, MeterRegistry metrics) {
        this.directory = directory;
        this.executor = executor;
        this.ttlNanos = ttl.toNanos();
        this.hits = Timer.builder("mqchat.group.check").tag("cache", "hit")
                .description("membership check of a group publish or subscribe").publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.misses = Timer.builder("mqchat.group.check").tag("cache", "miss")
                .description("membership check of a group publish or subscribe").publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    /** The live group with its members, or empty if it is unknown or dissolved. */
    public CompletableFuture<Optional<GroupDirectory.Snapshot>> snapshot(String groupId) {
        long start = System.nanoTime();
        Entry cached = cache.get(groupId);
        if (cached != null && cached.expiresAtNanos() - start > 0 && !cached.snapshot().isCompletedExceptionally()) {
            if (cached.snapshot().isDone()) {
                hits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            return cached.snapshot();
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // crude bound: groups are re-read on their next message
        }
        CompletableFuture<Optional<GroupDirectory.Snapshot>> load =
                CompletableFuture.supplyAsync(() -> directory.load(groupId), executor);
        Entry entry = new Entry(load, start + ttlNanos);
        cache.put(groupId, entry);
        load.whenComplete((snapshot, error) -> {
            misses.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (error != null) {
                cache.remove(groupId, entry); // a failed read is not remembered
            }
        });
        return load;
    }

    /** The membership of one user, if they are in the (live) group. */
    public CompletableFuture<Optional<GroupMember>> member(String groupId, String userId) {
        return snapshot(groupId).thenApply(s -> s.map(g -> g.members().get(userId)));
    }

    /** The directory behind the cache (for reads that need no cache, e.g. a user's groups at sync). */
    public GroupDirectory directory() {
        return directory;
    }

    /** Forgets the group: the next check reads it again. */
    public void invalidate(String groupId) {
        cache.remove(groupId);
    }
}
