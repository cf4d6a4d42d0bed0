package io.mqchat.broker.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqchat.broker.store.StoreHealth;
import io.mqchat.common.redis.SequenceAllocator;
import io.mqchat.common.redis.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Seqs for the publish path on a real Redis: many per round trip, in arrival order per conversation. */
class SequenceQueueTest {

    @RegisterExtension
    static final TestRedis redis = TestRedis.forTestClass();

    private static SequenceQueue queue(java.util.function.Function<String, CompletableFuture<Long>> stored) {
        StoreHealth health = new StoreHealth(() -> { }, Executors.newSingleThreadScheduledExecutor(),
                Duration.ofMillis(100), new SimpleMeterRegistry());
        return new SequenceQueue(new SequenceAllocator(redis.redisson(), stored), Duration.ofMinutes(1),
                Duration.ofSeconds(5), Clock.systemUTC(), health, new SimpleMeterRegistry());
    }

    /** Records what the listener heard, in the order it heard it. */
    private static MessageAcceptor.SeqListener recording(List<String> heard) {
        return new MessageAcceptor.SeqListener() {
            @Override
            public void allocated(String conv, long seq, boolean fresh) {
                heard.add(conv + "#" + seq);
            }

            @Override
            public void abandoned(String conv, long seq) {
            }
        };
    }

    @Test
    void seqsFollowArrivalOrderPerConversationAndListenersHearThemInThatOrder() throws Exception {
        try (SequenceQueue queue = queue(conv -> CompletableFuture.completedFuture(0L))) {
            List<String> heard = new CopyOnWriteArrayList<>();
            List<CompletableFuture<SequenceAllocator.Allocation>> all = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String conv = "d:q" + (i % 7) + ":z";
                all.add(queue.allocate(conv, "q", "c-" + i, false, recording(heard)));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < all.size(); i++) {
                // the i-th attempt of a conversation got its seq i/7 + 1
                assertThat(all.get(i).join().seq()).as("attempt " + i).isEqualTo(i / 7 + 1);
            }
            Map<String, Long> lastHeard = new ConcurrentHashMap<>();
            for (String h : heard) {
                String conv = h.substring(0, h.indexOf('#'));
                long seq = Long.parseLong(h.substring(h.indexOf('#') + 1));
                assertThat(seq).as(h).isGreaterThan(lastHeard.getOrDefault(conv, 0L));
                lastHeard.put(conv, seq);
            }
            assertThat(heard).hasSize(2_000);
        }
    }

    @Test
    void aConversationWaitingForItsSeedHoldsUpNoOtherConversation() throws Exception {
        CompletableFuture<Long> slowSeed = new CompletableFuture<>();
        try (SequenceQueue queue = queue(conv -> conv.equals("d:new:x") ? slowSeed : CompletableFuture.completedFuture(0L))) {
            List<String> heard = new CopyOnWriteArrayList<>();
            var first = queue.allocate("d:new:x", "new", "n-1", false, recording(heard));
            var second = queue.allocate("d:new:x", "new", "n-2", false, recording(heard));
            var other = queue.allocate("d:old:y", "old", "o-1", false, recording(heard));
            assertThat(other.get(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(first).isNotDone();
            var third = queue.allocate("d:new:x", "new", "n-3", false, recording(heard));
            slowSeed.complete(41L); // 41 messages of the conversation are stored already
            assertThat(first.get(10, TimeUnit.SECONDS).seq()).isEqualTo(42);
            assertThat(second.get(10, TimeUnit.SECONDS).seq()).isEqualTo(43);
            assertThat(third.get(10, TimeUnit.SECONDS).seq()).isEqualTo(44);
            assertThat(heard).containsExactly("d:old:y#1", "d:new:x#42", "d:new:x#43", "d:new:x#44");
        }
    }
}
