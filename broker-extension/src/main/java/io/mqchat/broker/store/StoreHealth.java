package io.mqchat.broker.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the stores (MongoDB, Redis) are known to be down. A pipelined publish's PUBACK is held as a success and
 * cannot become an error: a failed store can only end in a disconnect. So once a store failed for being
 * unreachable, publishes are refused at once (MQTT 5: an error PUBACK the client can retry on) until a probe of
 * both stores succeeds again.
 */
public final class StoreHealth {

    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

    /** A check that throws when its store cannot be used. */
    @FunctionalInterface
    public interface Probe {
        void check() throws Exception;
    }

    private final Probe probe;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile String why = "";

    public StoreHealth(Probe probe, ScheduledExecutorService scheduler, Duration interval, MeterRegistry metrics) {
        this.probe = probe;
        this.scheduler = scheduler;
        this.interval = interval;
        Gauge.builder("mqchat.store.down", () -> down.get() ? 1 : 0)
                .description("1 while publishes are refused because a store is known to be down").register(metrics);
    }

    /** Whether publishes should be refused now. */
    public boolean isDown() {
        return down.get();
    }

    /** What failed last, for the refusal's reason string. */
    public String why() {
        return why;
    }

    /** A store call failed: if for being unreachable, publishes are refused until a probe succeeds. */
    public void failed(Throwable cause) {
        Throwable c = cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (c instanceof io.mqchat.common.protocol.ProtocolException) {
            return; // the message, not the store
        }
        if (down.compareAndSet(false, true)) {
            why = c.getClass().getSimpleName();
            log.warn("mqchat: a store failed ({}); refusing publishes until it answers again", c.toString());
            scheduler.schedule(this::probe, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void probe() {
        try {
            probe.check();
            down.set(false);
            log.info("mqchat: stores answer again; accepting publishes");
        } catch (Exception e) {
            log.debug("mqchat: stores still down: {}", e.toString());
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::probe, interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
