package io.mqchat.history.messages;

import io.mqchat.web.ApiException;
import io.mqchat.web.PageLimit;

/**
 * Validated paging parameters. {@code afterSeq}/{@code beforeSeq} are exclusive bounds; either may be
 * absent (null).
 *
 * @param afterSeq  only messages with a seq greater than this
 * @param beforeSeq only messages with a seq less than this
 * @param limit     1..{@link #MAX_LIMIT}
 */
public record PageRequest(Long afterSeq, Long beforeSeq, Long afterTs, Long beforeTs, int limit) {


    /** Seq bounds only. */
    public PageRequest(Long afterSeq, Long beforeSeq, int limit) {
        this(afterSeq, beforeSeq, null, null, limit);
    }

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    private static final PageLimit LIMIT = new PageLimit(DEFAULT_LIMIT, MAX_LIMIT);

    /**
     * Parses the raw query parameters (strings, so that bad values get a precise reason). Limits above
     * {@link #MAX_LIMIT} are clamped rather than refused, so clients asking for "a lot" still work.
     */
    public static PageRequest parse(String afterSeq, String beforeSeq, String limit) {
        return parse(afterSeq, beforeSeq, null, null, limit);
    }

    /** With time bounds too ({@code afterTs}/{@code beforeTs}: exclusive, ms since the epoch). */
    public static PageRequest parse(String afterSeq, String beforeSeq, String afterTs, String beforeTs, String limit) {
        Long after = parseSeq("afterSeq", afterSeq, 0);
        Long before = parseSeq("beforeSeq", beforeSeq, 1);
        if (after != null && before != null && after >= before) {
            throw ApiException.badRequest("afterSeq must be less than beforeSeq");
        }
        Long afterTime = parseSeq("afterTs", afterTs, 0);
        Long beforeTime = parseSeq("beforeTs", beforeTs, 1);
        if (afterTime != null && beforeTime != null && afterTime >= beforeTime) {
            throw ApiException.badRequest("afterTs must be less than beforeTs");
        }
        return new PageRequest(after, before, afterTime, beforeTime, LIMIT.parse(limit));
    }

    /**
     * Newest-first paging: backwards from {@code beforeSeq}/{@code beforeTs}, or the latest page when no
     * lower bound is given.
     */
    public boolean backwards() {
        return afterSeq == null && afterTs == null;
    }

    private static Long parseSeq(String name, String value, long min) {
        if (value == null) {
            return null;
        }
        long seq = parseLong(name, value);
        if (seq < min) {
            throw ApiException.badRequest(name + " must be an integer >= " + min);
        }
        return seq;
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be an integer");
        }
    }
}
