package io.mqchat.broker.cache;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiringCacheTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void aHitDoesNotLoadAndAnExpiredEntryLoadsAgain() {
        ExpiringCache<String, String> cache = new ExpiringCache<>(10);
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("a", () -> "v" + loads.incrementAndGet(), Runnable::run, v -> LONG).join()).isEqualTo("v1");
        assertThat(cache.get("a", () -> "v" + loads.incrementAndGet(), Runnable::run, v -> LONG).join()).isEqualTo("v1");
        assertThat(loads).hasValue(1);

        cache.put("b", "old", Duration.ofNanos(1)); // expired by the time it is read
        assertThat(cache.getIfFresh("b")).isNull();
        assertThat(cache.get("b", () -> "new", Runnable::run, v -> LONG).join()).isEqualTo("new");
    }

    @Test
    void answersWithoutATimeAreNotKept() {
        ExpiringCache<String, Boolean> cache = new ExpiringCache<>(10);
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            cache.get("no", () -> loads.incrementAndGet() < 0, Runnable::run, may -> may ? LONG : null).join();
        }
        assertThat(loads).hasValue(3);
        cache.get("zero", () -> true, Runnable::run, may -> Duration.ZERO).join();
        assertThat(cache.getIfFresh("zero")).isNull();
    }

    @Test
    void whenFullExpiredEntriesGoFirstThenEverything() {
        ExpiringCache<Integer, String> cache = new ExpiringCache<>(3);
        cache.put(1, "stale", Duration.ofNanos(1));
        cache.put(2, "fresh", LONG);
        cache.put(3, "fresh", LONG);
        cache.put(4, "fresh", LONG); // full: only the expired one makes room
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.getIfFresh(2)).isEqualTo("fresh");
        assertThat(cache.getIfFresh(4)).isEqualTo("fresh");

        cache.put(5, "fresh", LONG); // full of fresh entries: all go, the bound holds
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.getIfFresh(5)).isEqualTo("fresh");
        cache.put(5, "again", LONG); // replacing a key never evicts
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void removedKeysAreReadAgain() {
        ExpiringCache<String, String> cache = new ExpiringCache<>(10);
        cache.put("alice|bob", "x", LONG);
        cache.put("bob|alice", "x", LONG);
        cache.put("carol|dave", "x", LONG);
        cache.removeKeys(k -> k.startsWith("alice|") || k.endsWith("|alice"));
        assertThat(cache.getIfFresh("alice|bob")).isNull();
        assertThat(cache.getIfFresh("bob|alice")).isNull();
        assertThat(cache.getIfFresh("carol|dave")).isEqualTo("x");
        cache.remove("carol|dave");
        assertThat(cache.size()).isZero();
    }
}
