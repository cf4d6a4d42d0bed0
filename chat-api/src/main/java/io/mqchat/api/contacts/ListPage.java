package io.mqchat.api.contacts;

import io.mqchat.web.ApiException;

import java.util.List;
import java.util.function.Function;

/** One page of a contacts, requests or blocks list ({@code ?page=&size=}); {@code hasMore}: page + 1 has items. */
public record ListPage<T>(List<T> items, int page, int size, boolean hasMore) {

    static final int MAX_SIZE = 100;

    @FunctionalInterface
    interface Reader<S> {
        List<S> read(int skip, int limit);
    }

    /** 400 for a page below 0 (or absurdly far) or a size outside 1-100; reads one item more to see if there are more. */
    static <S, T> ListPage<T> read(int page, int size, Reader<S> reader, Function<S, T> view) {
        check(page, size);
        return of(reader.read(page * size, size + 1), page, size, view);
    }

    static void check(int page, int size) {
        if (page < 0 || page > 1_000_000 || size < 1 || size > MAX_SIZE) {
            throw ApiException.badRequest("page must be 0 or more and size 1-" + MAX_SIZE + ".");
        }
    }

    /** The page from {@code items}, read from {@code page * size} with one more than {@code size}. */
    static <S, T> ListPage<T> of(List<S> items, int page, int size, Function<S, T> view) {
        boolean more = items.size() > size;
        return new ListPage<>((more ? items.subList(0, size) : items).stream().map(view).toList(), page, size, more);
    }
}
