package io.mqchat.common.protocol;

/**
 * How many items a page of an answer holds when the request does not say, and at most. A limit asked as text
 * or as a number is read the same way for every transport: not a positive integer → refused with a message for
 * the client ({@link IllegalArgumentException}); above the maximum → clamped, so clients asking for "a lot" still
 * work.
 */
public record PageSize(int defaultLimit, int maxLimit) {

    public PageSize {
        if (defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= default <= max, got " + defaultLimit + " and " + maxLimit);
        }
    }

    /** A limit given as text (a query parameter); null: the default. */
    public int parse(String text) {
        if (text == null) {
            return defaultLimit;
        }
        long asked;
        try {
            asked = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be an integer");
        }
        return clamp(asked);
    }

    /** A limit given as a number. */
    public int clamp(long asked) {
        if (asked <= 0) {
            throw new IllegalArgumentException(notPositive());
        }
        return (int) Math.min(asked, maxLimit);
    }

    /** The refusal of a limit that is not a positive integer. */
    public String notPositive() {
        return "limit must be a positive integer (at most " + maxLimit + " are returned)";
    }
}
