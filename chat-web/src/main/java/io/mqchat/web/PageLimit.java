package io.mqchat.web;

/**
 * The {@code limit} of a paged REST request: absent → the default; not a positive integer → 400; above the
 * maximum → clamped (clients asking for "a lot" still work).
 */
public record PageLimit(int defaultLimit, int maxLimit) {

    public PageLimit {
        if (defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= default <= max, got " + defaultLimit + " and " + maxLimit);
        }
    }

    public int parse(String text) {
        if (text == null) {
            return defaultLimit;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be an integer");
        }
        if (value <= 0) {
            throw ApiException.badRequest("limit must be a positive integer (at most " + maxLimit + " are returned)");
        }
        return (int) Math.min(value, maxLimit);
    }
}
