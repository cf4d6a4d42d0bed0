package io.mqchat.broker.ingest;

import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.redis.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Seq allocation on a real Redis: atomic, seeded from the store when Redis has no counter. */
class SequenceAllocatorTest {

    @RegisterExtension
    static final TestRedis redis = TestRedis.forTestClass();

    @Test
    void concurrentAllocationsAreUniqueAndDense() throws Exception {
        SequenceAllocator allocator = new SequenceAllocator(redis.redisson(),
                conv -> CompletableFuture.completedFuture(0L));
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        CompletableFuture<?>[] all = new CompletableFuture<?>[500];
        for (int i = 0; i < all.length; i++) {
            all[i] = allocator.next("d:a1:b1").toCompletableFuture().thenAccept(seen::add);
        }
        CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);
        assertThat(seen).hasSize(500);
        assertThat(seen).allSatisfy(seq -> assertThat(seq).isBetween(1L, 500L));
    }

    @Test
    void aMissingCounterIsSeededFromTheStoreOnce() throws Exception {
        AtomicInteger storeReads = new AtomicInteger();
        Map<String, Long> stored = Map.of("d:a2:b2", 41L);
        SequenceAllocator allocator = new SequenceAllocator(redis.redisson(), conv -> {
            storeReads.incrementAndGet();
            return CompletableFuture.completedFuture(stored.getOrDefault(conv, 0L));
        });
        assertThat(allocator.next("d:a2:b2").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(allocator.next("d:a2:b2").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(43);
        assertThat(storeReads).hasValue(1);

        // Redis lost its data: the counter is seeded again from the store, never going backwards past it
        redis.redisson().getKeys().flushall();
        assertThat(allocator.next("d:a2:b2").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void resyncMovesTheCounterPastTheStoreButNeverBack() throws Exception {
        Map<String, Long> stored = new ConcurrentHashMap<>(Map.of("d:a3:b3", 0L));
        SequenceAllocator allocator = new SequenceAllocator(redis.redisson(),
                conv -> CompletableFuture.completedFuture(stored.get(conv)));
        assertThat(allocator.next("d:a3:b3").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        stored.put("d:a3:b3", 10L);
        allocator.resync("d:a3:b3").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(allocator.next("d:a3:b3").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(11);
        stored.put("d:a3:b3", 5L);
        allocator.resync("d:a3:b3").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(allocator.next("d:a3:b3").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(12);
    }

    @Test
    void anAttemptsSeqIsReservedForItsRetriesUntilTakenAnew() throws Exception {
        SequenceAllocator allocator = new SequenceAllocator(redis.redisson(),
                conv -> CompletableFuture.completedFuture(0L));
        java.time.Duration window = java.time.Duration.ofMinutes(1);
        SequenceAllocator.Allocation first = allocator.next("d:a9:b9", "a9", "c1", 1_000, window, false)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first).isEqualTo(new SequenceAllocator.Allocation(1, false, 1_000));
        SequenceAllocator.Allocation retry = allocator.next("d:a9:b9", "a9", "c1", 2_000, window, false)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(retry).as("same seq, first allocation time").isEqualTo(new SequenceAllocator.Allocation(1, true, 1_000));
        SequenceAllocator.Allocation other = allocator.next("d:a9:b9", "a9", "c2", 3_000, window, false)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(other.seq()).isEqualTo(2);
        SequenceAllocator.Allocation anew = allocator.next("d:a9:b9", "a9", "c1", 4_000, window, true)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(anew).isEqualTo(new SequenceAllocator.Allocation(3, false, 4_000));
        assertThat(allocator.next("d:a9:b9", "a9", "c1", 5_000, window, false).toCompletableFuture().get().seq())
                .isEqualTo(3);
        long ttl = redis.redisson().getBucket("mqchat:retry:{d:a9:b9}:a9:c1").remainTimeToLive();
        assertThat(ttl).isBetween(1L, 60_000L);
    }
}
