package io.mqchat.broker.ingest;

/**
 * One connection's budget of signals: a token bucket kept with the connection, in memory. Signals are never stored
 * and cost one publish each, so this bound is local: a flood is cut at the connection that sends it.
 */
final class SignalRate {

    static final int PER_SECOND = 10;
    static final int BURST = 20;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / PER_SECOND;

    private double tokens = BURST;
    private long lastNanos;
    private boolean started;

    synchronized boolean tryTake(long nowNanos) {
        if (!started) {
            started = true;
            lastNanos = nowNanos;
        }
        tokens = Math.min(BURST, tokens + (double) (nowNanos - lastNanos) / NANOS_PER_TOKEN);
        lastNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }
}
