package io.mqchat.broker.cache;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Answers read from the store on the broker's message path, kept for a while so the next message of the same key
 * costs nothing: each entry with its own expiry, a lookup off the broker's threads on a miss, and a bound on the
 * number of entries (when full, expired entries go first, then everything: the next lookups read the store again,
 * which is slower but never wrong). Announced changes remove entries ({@link #remove}, {@link #removeKeys}).
 */
public final class ExpiringCache<K, V> {

    private final int maxEntries;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    private record Entry<V>(V value, long expiresAtNanos) {

        boolean fresh(long now) {
            return expiresAtNanos - now > 0;
        }
    }

    public ExpiringCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    /** The cached value, or null when there is none or it expired. */
    public V getIfFresh(K key) {
        Entry<V> entry = entries.get(key);
        return entry != null && entry.fresh(System.nanoTime()) ? entry.value() : null;
    }

    /** Keeps {@code value} (not null) for {@code ttl}. */
    public void put(K key, V value, Duration ttl) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            long now = System.nanoTime();
            entries.values().removeIf(e -> !e.fresh(now));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, new Entry<>(value, System.nanoTime() + ttl.toNanos()));
    }

    /**
     * The cached value at once, else {@code load} run on {@code executor}; what it returns is kept for
     * {@code ttlOf(value)}, or not at all when that is null or not positive (answers that must be asked again).
     */
    public CompletableFuture<V> get(K key, Supplier<V> load, Executor executor,
                                    Function<V, Duration> ttlOf) {
        V cached = getIfFresh(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return CompletableFuture.supplyAsync(() -> {
            V value = load.get();
            Duration ttl = ttlOf.apply(value);
            if (value != null && ttl != null && !ttl.isNegative() && !ttl.isZero()) {
                put(key, value, ttl);
            }
            return value;
        }, executor);
    }

    public void remove(K key) {
        entries.remove(key);
    }

    /** Removes every entry whose key matches. */
    public void removeKeys(Predicate<K> matches) {
        entries.keySet().removeIf(matches);
    }

    public void clear() {
        entries.clear();
    }

    public int size() {
        return entries.size();
    }
}
