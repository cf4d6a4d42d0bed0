package io.mqchat.broker.ingest;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the QoS 0 chat publishes of each connection that are being stored (QoS 0 has no acknowledgement, so
 * nothing else holds a flood back), and how often such a connection is told about what was dropped.
 */
final class UnacknowledgedPublishes {

    /** Beyond this many connections with a recent notice, old notices are forgotten. */
    private static final int MAX_NOTICES = 10_000;

    private final int maxPending;
    private final long noticeIntervalNanos;
    private final ConcurrentHashMap<String, AtomicInteger> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastNotice = new ConcurrentHashMap<>();

    UnacknowledgedPublishes(int maxPending, Duration noticeInterval) {
        this.maxPending = maxPending;
        this.noticeIntervalNanos = noticeInterval.toNanos();
    }

    /** Whether {@code clientId} may have one more message stored now; if so, {@link #finished} must follow. */
    boolean tryStart(String clientId) {
        AtomicInteger count = pending.computeIfAbsent(clientId, id -> new AtomicInteger());
        if (count.incrementAndGet() > maxPending) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    void finished(String clientId) {
        AtomicInteger count = pending.get(clientId);
        if (count != null && count.decrementAndGet() <= 0) {
            pending.remove(clientId, count);
        }
    }

    /** At most one notice per interval per connection: a flood must not be answered with a flood. */
    boolean mayTell(String clientId) {
        long now = System.nanoTime();
        if (lastNotice.size() > MAX_NOTICES) {
            lastNotice.values().removeIf(at -> now - at > noticeIntervalNanos);
        }
        boolean[] tell = {false};
        lastNotice.compute(clientId, (id, before) -> {
            if (before != null && now - before < noticeIntervalNanos) {
                return before;
            }
            tell[0] = true;
            return now;
        });
        return tell[0];
    }
}
