package io.mqchat.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every one-topic sender's ledger keeps alike, whatever the scenario: its in-flight window, the one topic it
 * publishes to, and how many of its messages were started, acknowledged and failed. A scenario adds what it checks.
 */
abstract class SenderLedger implements SendLoop.Ledger {

    /** What became of one message, in a scenario's per-message answer array: no answer yet, acknowledged, failed. */
    static final int ACK_NONE = 0;
    static final int ACK_OK = 1;
    static final int ACK_FAILED = 2;

    final String topic;
    final Semaphore window;
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    SenderLedger(String topic, Semaphore window) {
        this.topic = topic;
        this.window = window;
    }

    @Override
    public Semaphore window() {
        return window;
    }

    @Override
    public String topic(int k) {
        return topic;
    }

    @Override
    public void started(int k) {
        sent.incrementAndGet();
    }

    /** Every message started was answered: acknowledged or failed. */
    boolean answered() {
        return acked.get() + failed.get() >= sent.get();
    }
}
