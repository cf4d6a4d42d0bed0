package io.mqchat.web;

import io.mqchat.common.protocol.PageSize;

/**
 * The {@code limit} of a paged REST request, read by {@link PageSize}: absent → the default; not a positive
 * integer → 400; above the maximum → clamped.
 */
public record PageLimit(PageSize size) {

    public PageLimit(int defaultLimit, int maxLimit) {
        this(new PageSize(defaultLimit, maxLimit));
    }

    public int parse(String text) {
        try {
            return size.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
