package io.mqchat.api.webhooks;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Webhook settings ({@code mqchat.webhooks.*}, env {@code MQCHAT_WEBHOOKS_*}); an invalid value stops start-up
 * with a message naming the variable.
 *
 * @param allowPrivate  endpoints may be on loopback and private addresses (local development, tests); off by default
 * @param maxAttempts   attempts before a delivery is dead (a dead letter)
 * @param backoffBase   delay after the first failure; doubled after each, with jitter
 * @param backoffMax    the longest delay between two attempts
 * @param connectTimeout how long connecting to an endpoint may take
 * @param readTimeout   how long an endpoint may take to answer once connected
 * @param concurrency   deliveries in flight at once on this instance
 * @param perEndpoint   deliveries in flight at once to one endpoint (a slow endpoint holds no more than this)
 * @param queue         events held in memory before they are written to the outbox (more are dropped, counted)
 * @param refresh       how often the endpoint list is read again (a change on this instance counts at once)
 * @param pollInterval  how often due deliveries are looked for
 * @param maxEndpoints  endpoints that may be registered
 * @param dispatch      whether this instance delivers (run it on at least one; several are safe)
 * @param keepDelivered how long delivered deliveries stay in the outbox (dead letters stay until redelivered or
 *                      their endpoint is deleted)
 */
@Validated
@ConfigurationProperties("mqchat.webhooks")
public record WebhooksProperties(@DefaultValue("false") boolean allowPrivate,
                                 @DefaultValue("8") int maxAttempts,
                                 @NotNull @DefaultValue("10s") Duration backoffBase,
                                 @NotNull @DefaultValue("1h") Duration backoffMax,
                                 @NotNull @DefaultValue("5s") Duration connectTimeout,
                                 @NotNull @DefaultValue("10s") Duration readTimeout,
                                 @DefaultValue("16") int concurrency,
                                 @DefaultValue("4") int perEndpoint,
                                 @DefaultValue("10000") int queue,
                                 @NotNull @DefaultValue("5s") Duration refresh,
                                 @NotNull @DefaultValue("1s") Duration pollInterval,
                                 @DefaultValue("100") int maxEndpoints,
                                 @DefaultValue("true") boolean dispatch,
                                 @NotNull @DefaultValue("7d") Duration keepDelivered) {

    @AssertTrue(message = "must be from 1 to 50 (MQCHAT_WEBHOOKS_MAXATTEMPTS)")
    public boolean isMaxAttemptsValid() {
        return maxAttempts >= 1 && maxAttempts <= 50;
    }

    @AssertTrue(message = "must be from 10ms to 1h, and MQCHAT_WEBHOOKS_BACKOFFMAX from it to 7d "
            + "(MQCHAT_WEBHOOKS_BACKOFFBASE, MQCHAT_WEBHOOKS_BACKOFFMAX)")
    public boolean isBackoffValid() {
        return backoffBase == null || backoffMax == null || (within(backoffBase, Duration.ofMillis(10), Duration.ofHours(1))
                && within(backoffMax, backoffBase, Duration.ofDays(7)));
    }

    @AssertTrue(message = "must be from 100ms to 5m (MQCHAT_WEBHOOKS_CONNECTTIMEOUT, MQCHAT_WEBHOOKS_READTIMEOUT)")
    public boolean isTimeoutsValid() {
        return connectTimeout == null || readTimeout == null
                || (within(connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5))
                && within(readTimeout, Duration.ofMillis(100), Duration.ofMinutes(5)));
    }

    @AssertTrue(message = "must be from 1 to 1000, MQCHAT_WEBHOOKS_PERENDPOINT from 1 to MQCHAT_WEBHOOKS_CONCURRENCY "
            + "(MQCHAT_WEBHOOKS_CONCURRENCY, MQCHAT_WEBHOOKS_PERENDPOINT)")
    public boolean isConcurrencyValid() {
        return concurrency >= 1 && concurrency <= 1000 && perEndpoint >= 1 && perEndpoint <= concurrency;
    }

    @AssertTrue(message = "must be from 100 to 1000000 (MQCHAT_WEBHOOKS_QUEUE)")
    public boolean isQueueValid() {
        return queue >= 100 && queue <= 1_000_000;
    }

    @AssertTrue(message = "must be from 100ms to 10m (MQCHAT_WEBHOOKS_REFRESH, MQCHAT_WEBHOOKS_POLLINTERVAL)")
    public boolean isIntervalsValid() {
        return refresh == null || pollInterval == null || (within(refresh, Duration.ofMillis(100), Duration.ofMinutes(10))
                && within(pollInterval, Duration.ofMillis(10), Duration.ofMinutes(10)));
    }

    @AssertTrue(message = "must be from 1 to 10000 (MQCHAT_WEBHOOKS_MAXENDPOINTS)")
    public boolean isMaxEndpointsValid() {
        return maxEndpoints >= 1 && maxEndpoints <= 10_000;
    }

    @AssertTrue(message = "must be from 1m to 365d (MQCHAT_WEBHOOKS_KEEPDELIVERED)")
    public boolean isKeepDeliveredValid() {
        return keepDelivered == null || within(keepDelivered, Duration.ofMinutes(1), Duration.ofDays(365));
    }

    /** How long a claimed delivery is someone's: longer than any attempt can take, so it is never sent twice at once. */
    public Duration lease() {
        return connectTimeout.plus(readTimeout).multipliedBy(2).plusSeconds(5);
    }

    private static boolean within(Duration d, Duration min, Duration max) {
        return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
    }
}
