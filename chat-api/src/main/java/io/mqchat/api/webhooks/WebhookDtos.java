package io.mqchat.api.webhooks;

import java.util.List;

/** Request and response bodies of {@link WebhookController}. */
public final class WebhookDtos {

    private WebhookDtos() {
    }

    /** {@code POST /api/v1/admin/webhooks}: {@code secret} optional (generated when absent). */
    public record CreateRequest(String url, List<String> events, String secret) {
    }

    /** {@code PATCH /api/v1/admin/webhooks/{id}}. */
    public record UpdateRequest(Boolean enabled) {
    }

    /**
     * An endpoint. {@code secret} is redacted ({@value WebhookService#REDACTED}) except in the answer to a creation
     * that generated it: that is the only time it is shown.
     */
    public record Endpoint(String id, String url, List<String> events, boolean enabled, String secret,
                           String createdAt, String createdBy) {
    }

    public record EndpointPage(List<Endpoint> webhooks, String next) {
    }

    /** A delivery queued by a test-fire or a redelivery. */
    public record Queued(String deliveryId, String endpoint, String event, String state) {
    }

    /** A dead delivery: what was tried and what went wrong last. */
    public record DeadLetter(String deliveryId, String endpoint, String event, int attempts, String lastError,
                             String createdAt, String lastAttemptAt) {
    }

    public record DeadLetterPage(List<DeadLetter> deadLetters, String next) {
    }
}
