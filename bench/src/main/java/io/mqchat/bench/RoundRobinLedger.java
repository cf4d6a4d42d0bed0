package io.mqchat.bench;

import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * One sender connection publishing to many receivers in turn (a game server, a bot): the sender's message
 * {@code k} is message {@code k / n} of pair {@code k % n}, with cid {@code m{k}} (the pairs number their cids that
 * way: a cid is unique per sender, not per conversation). Each pair keeps its own bookkeeping and checks (one
 * conversation per receiver); all of them share the sender's one window, so that {@code inflight} publishes are
 * outstanding on the connection, whichever receivers they go to.
 */
final class RoundRobinLedger implements SendLoop.Ledger {

    private final List<Pair> pairs;
    private final Semaphore window;

    /**
     * @param pairs every pair built with {@code window} as its window, all with the same sender, pair {@code i} with
     *              cid offset {@code i} and stride {@code pairs.size()}
     */
    RoundRobinLedger(List<Pair> pairs, Semaphore window) {
        if (pairs.isEmpty() || pairs.stream().anyMatch(p -> p.window != window)) {
            throw new IllegalArgumentException("every pair must share the sender's window");
        }
        this.pairs = List.copyOf(pairs);
        this.window = window;
    }

    private Pair pair(int k) {
        return pairs.get(k % pairs.size());
    }

    private int local(int k) {
        return k / pairs.size();
    }

    /** The sender's first message of a pair's message {@code localK} round: pair messages map to rounds. */
    int first(int localK) {
        return localK * pairs.size();
    }

    /** Of the sender's messages before {@code sentUpTo}, how many went to pair {@code i}. */
    int sentUpTo(int sentUpTo, int i) {
        int n = pairs.size();
        return sentUpTo / n + (i < sentUpTo % n ? 1 : 0);
    }

    @Override
    public Semaphore window() {
        return window;
    }

    @Override
    public String topic(int k) {
        return pair(k).topic;
    }

    @Override
    public String cidOf(int k) {
        return pair(k).cidOf(local(k));
    }

    @Override
    public void started(int k) {
        pair(k).started(local(k));
    }

    @Override
    public void sending(int k, long nanoTime) {
        pair(k).sending(local(k), nanoTime);
    }

    /** The pair releases the shared window. */
    @Override
    public void onAck(int k, long nanoTime, String failure) {
        pair(k).onAck(local(k), nanoTime, failure);
    }

    @Override
    public void onSendError(int k, Exception e) {
        pair(k).onSendError(local(k), e);
    }
}
