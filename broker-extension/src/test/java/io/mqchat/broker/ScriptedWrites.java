package io.mqchat.broker;

import io.mqchat.broker.store.MessageStore;
import io.mqchat.broker.store.MessageWrites;
import io.mqchat.common.protocol.ChatMessage;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * The real store's writes with latency and failures a test scripts per message, and a record of what the store
 * really acknowledged (so a test can check that no PUBACK came before it) and how many writes were in flight at once.
 */
final class ScriptedWrites implements MessageWrites {

    /** What to do with one write. */
    enum Fault { NONE, FAIL, LATE }

    /** Decides each write's fault by its message (e.g. by cid and attempt). */
    interface Script {
        Fault faultOf(ChatMessage message, int attempt);
    }

    private final MessageWrites store;
    private volatile ToLongFunction<ChatMessage> latencyMillis;
    private final long lateMillis;
    private final Script script;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scripted-writes");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    /** The cids the real store acknowledged. */
    final Set<String> stored = ConcurrentHashMap.newKeySet();
    /** The cids whose write was made to fail (or to finish after its deadline), with their attempt. */
    final Set<String> faulted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inStore = new AtomicInteger();
    private final AtomicInteger maxInStore = new AtomicInteger();

    ScriptedWrites(MessageWrites store, ToLongFunction<ChatMessage> latencyMillis, long lateMillis, Script script) {
        this.store = store;
        this.latencyMillis = latencyMillis;
        this.lateMillis = lateMillis;
        this.script = script;
    }

    /** Every write takes {@code millis} longer. */
    static ScriptedWrites slow(MessageWrites store, long millis) {
        return new ScriptedWrites(store, m -> millis, 0, (m, a) -> Fault.NONE);
    }

    /** From now on, writes take this long. */
    void latency(ToLongFunction<ChatMessage> millis) {
        latencyMillis = millis;
    }

    int maxInStore() {
        return maxInStore.get();
    }

    @Override
    public CompletableFuture<MessageStore.Outcome> insert(ChatMessage message, long deadlineNanos) {
        int attempt = attempts.computeIfAbsent(message.cid(), c -> new AtomicInteger()).incrementAndGet();
        Fault fault = script.faultOf(message, attempt);
        int now = inStore.incrementAndGet();
        maxInStore.accumulateAndGet(now, Math::max);
        CompletableFuture<MessageStore.Outcome> result = new CompletableFuture<>();
        long delay = latencyMillis.applyAsLong(message) + (fault == Fault.LATE ? lateMillis : 0);
        if (fault != Fault.NONE) {
            faulted.add(message.cid() + "#" + attempt);
        }
        timer.schedule(() -> {
            if (fault == Fault.FAIL) {
                inStore.decrementAndGet();
                result.completeExceptionally(new IllegalStateException("injected store failure"));
                return;
            }
            // a late write is really written, just after its publish gave up on it (the store must not drop it)
            store.insert(message, fault == Fault.LATE ? System.nanoTime() + TimeUnit.MINUTES.toNanos(1) : deadlineNanos)
                    .whenComplete((outcome, error) -> {
                        if (outcome instanceof MessageStore.Stored || outcome instanceof MessageStore.Duplicate) {
                            stored.add(message.cid());
                        }
                        inStore.decrementAndGet();
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(outcome);
                        }
                    });
        }, delay, TimeUnit.MILLISECONDS);
        return result;
    }

    @Override
    public CompletableFuture<Optional<ChatMessage>> findByClientId(String from, String cid) {
        return store.findByClientId(from, cid);
    }
}
