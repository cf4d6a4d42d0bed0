package io.mqchat.broker.delivery;

import io.mqchat.broker.ingest.SequenceQueue;

import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live delivery in seq order per conversation, across senders: stores finish in any order, so a message
 * waits here while a lower seq of its conversation, taken on this node, is still on its way. A seq that will
 * not be stored (failed, timed out, taken twice) is abandoned and releases what waits behind it; every wait is
 * bounded by the store deadline of the earlier message. Seqs taken on other broker nodes are not known here.
 *
 * <p>Seqs are registered in allocation order, on the allocating thread ({@link SequenceQueue}), so a lower seq
 * is always known before a higher one can be published.
 */
public final class DeliveryOrder {

    /** One message waiting for its turn. */
    public interface Waiting {
        /** Whether it may be published as soon as every lower seq is done. */
        boolean ready();

        /** Publishes it; called once, in seq order, while the conversation's lock is held. */
        void publish();
    }

    private static final class Conversation {
        private final TreeMap<Long, Waiting> waiting = new TreeMap<>();
    }

    private final ConcurrentHashMap<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final AtomicLong waitingCount = new AtomicLong();

    public DeliveryOrder(MeterRegistry metrics) {
        metrics.gauge("mqchat.delivery.waiting", waitingCount);
    }

    /** Takes a place for {@code seq} (a fresh seq of this node, in allocation order). */
    public void register(String conv, long seq, Waiting message) {
        conversations.compute(conv, (k, c) -> {
            Conversation conversation = c == null ? new Conversation() : c;
            synchronized (conversation) {
                if (conversation.waiting.put(seq, message) == null) {
                    waitingCount.incrementAndGet();
                }
            }
            return conversation;
        });
    }

    /** The seq will not be published: what waits behind it may go. */
    public void abandon(String conv, long seq) {
        Conversation conversation = conversations.get(conv);
        if (conversation == null) {
            return;
        }
        synchronized (conversation) {
            if (conversation.waiting.remove(seq) != null) {
                waitingCount.decrementAndGet();
            }
        }
        advance(conv);
    }

    /** Something in the conversation became ready: publishes every ready message at the head, in seq order. */
    public void advance(String conv) {
        Conversation conversation = conversations.get(conv);
        if (conversation == null) {
            return;
        }
        synchronized (conversation) {
            while (!conversation.waiting.isEmpty()) {
                Map.Entry<Long, Waiting> head = conversation.waiting.firstEntry();
                if (!head.getValue().ready()) {
                    break;
                }
                conversation.waiting.pollFirstEntry();
                waitingCount.decrementAndGet();
                head.getValue().publish();
            }
        }
        conversations.computeIfPresent(conv, (k, c) -> {
            synchronized (c) {
                return c.waiting.isEmpty() ? null : c;
            }
        });
    }
}
