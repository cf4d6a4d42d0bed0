package io.mqchat.broker.ingest;

import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.protocol.ProtocolError;
import io.mqchat.common.protocol.ProtocolException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-account publish limit, a token bucket in Redis shared by all broker nodes, decided on this node
 * without a round trip for most publishes: the node takes a few tokens at a time from the account's bucket (a
 * lease) and spends them locally. A lease lives one second; what it did not spend is lost, so an account may
 * get slightly less than its limit, never more.
 */
public final class PublishRate {

    private static final long LEASE_NANOS = 1_000_000_000L;
    private static final int MAX_LEASES = 100_000;

    private final RateLimiter limiter;
    private final RateLimit limit;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();

    private static final class Lease {
        private long left;
        private final long expiresAtNanos;

        Lease(long left, long expiresAtNanos) {
            this.left = left;
            this.expiresAtNanos = expiresAtNanos;
        }

        synchronized boolean take(long now) {
            if (left <= 0 || now - expiresAtNanos > 0) {
                return false;
            }
            left--;
            return true;
        }
    }

    public PublishRate(RateLimiter limiter, RateLimit limit) {
        this.limiter = limiter;
        this.limit = limit;
    }

    /** A quarter of a second's worth, at most a quarter of the burst: small enough that several nodes share fairly. */
    private static long leaseSize(RateLimit limit) {
        return limit.isOff() ? 0
                : Math.max(1, Math.min(100, Math.min(Math.round(limit.perSecond() / 4), limit.burst() / 4)));
    }

    /** The limit, as configured. */
    public RateLimit limit() {
        return limit;
    }

    /**
     * Takes one publish from the account's tokens: complete at once when this node holds some (or there is no
     * limit); fails with a {@code rate_limited} {@link ProtocolException} when the bucket is empty.
     */
    public CompletableFuture<Void> take(String userId, String cid) {
        return take(userId, limit, cid);
    }

    /** The same with an account's own limit (a service account's), in place of the configured one. */
    public CompletableFuture<Void> take(String userId, RateLimit limit, String cid) {
        if (limit.isOff()) {
            return CompletableFuture.completedFuture(null);
        }
        long now = System.nanoTime();
        Lease lease = leases.get(userId);
        if (lease != null && lease.take(now)) {
            return CompletableFuture.completedFuture(null);
        }
        long leaseSize = leaseSize(limit);
        return limiter.tryTake("publish", userId, limit, leaseSize).toCompletableFuture().thenCompose(leased -> {
            if (leased.allowed()) {
                if (leases.size() >= MAX_LEASES) {
                    leases.clear(); // crude bound: the next publish of each account leases again
                }
                leases.put(userId, new Lease(leaseSize - 1, System.nanoTime() + LEASE_NANOS));
                return CompletableFuture.completedFuture(null);
            }
            // fewer tokens left than a lease: take them one at a time
            return limiter.tryTake("publish", userId, limit).toCompletableFuture().thenCompose(one -> one.allowed()
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.failedFuture(new ProtocolException(ProtocolError.RATE_LIMITED,
                    "your account may publish " + limit + "; retry in " + one.retryAfterMillis()
                            + " ms" + (cid == null ? "" : " with the same cid"), cid)));
        });
    }
}
