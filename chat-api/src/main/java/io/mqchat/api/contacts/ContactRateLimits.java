package io.mqchat.api.contacts;

import io.mqchat.api.limits.RequestRateLimiter;
import io.mqchat.common.limits.RateLimit;
import org.springframework.stereotype.Service;

/** The per-user token bucket for contact requests, shared by every chat-api instance through Redis. */
@Service
public class ContactRateLimits {

    static final String KIND = "contact-request";

    private final RequestRateLimiter limiter;
    private final RateLimit limit;

    public ContactRateLimits(ContactRateLimitProperties properties, RequestRateLimiter limiter) {
        this.limiter = limiter;
        this.limit = properties.contactRequestsLimit();
    }

    /** One new request by {@code user}: 429 with {@code Retry-After} over the limit. */
    public void requesting(String user) {
        if (limit.isOff()) {
            return;
        }
        limiter.takeOrRefuse(KIND, user, limit, 1, "contact_request_rate_limited", seconds -> "You sent too many "
                + "contact requests recently; try again in " + seconds + " s (Retry-After).");
    }
}
