package io.mqchat.api.groups;

import io.mqchat.web.ApiException;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a group list ({@code ?page=&size=}); {@code hasMore} says whether page {@code page + 1} has items.
 */
public record Page<T>(List<T> items, int page, int size, boolean hasMore) {

    static final int MAX_SIZE = 100;

    /** Reads {@code limit} items from {@code skip} on. */
    @FunctionalInterface
    interface Reader<S> {
        List<S> read(int skip, int limit);
    }

    /**
     * Page {@code page} of {@code size} items, each shown as {@code view}: 400 for a page below 0 or a size
     * outside 1-100. One item more than the size is read, to tell whether there are more.
     */
    static <S, T> Page<T> read(int page, int size, Reader<S> reader, Function<S, T> view) {
        if (page < 0 || page > 1_000_000 || size < 1 || size > MAX_SIZE) {
            throw ApiException.badRequest("page must be 0 or more and size 1-" + MAX_SIZE + ".");
        }
        List<S> items = reader.read(page * size, size + 1);
        boolean more = items.size() > size;
        return new Page<>((more ? items.subList(0, size) : items).stream().map(view).toList(), page, size, more);
    }
}
