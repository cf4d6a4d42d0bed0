package io.mqchat.demo;

import io.mqchat.common.protocol.ServerEvent;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Sync: started on the event thread, its pages fetched on the io thread and applied on the event thread, page
 * after page while {@code hasMore}; one at a time (asked for while one runs, the next starts right after it);
 * again after {@code retryAfterMs}, while a gap stays open, and after a failure.
 */
final class SyncLoop {

    /** Messages per sync page (the server allows up to 500). */
    private static final int SYNC_PAGE = 200;
    /** When a gap is still open after a sync (the server had not seen the message yet), look again after this. */
    private static final long GAP_RETRY_MS = 1_000;
    /** When a sync failed (history-service unreachable), try again after this. */
    private static final long SYNC_RETRY_MS = 5_000;

    private final ClientSession session;
    /** Applies a page on the event thread; returns how many messages were new. */
    private final ToIntFunction<ServerEvent.Sync> apply;
    // event-thread only
    /** The sync running now, and the one asked for while it ran (it starts when the current one ends). */
    private CompletableFuture<Integer> running;
    private CompletableFuture<Integer> next;
    private boolean scheduled;

    SyncLoop(ClientSession session, ToIntFunction<ServerEvent.Sync> apply) {
        this.session = session;
        this.apply = apply;
    }

    /** Event thread: starts a sync, or — if one is running — one more right after it (what arrived meanwhile). */
    CompletableFuture<Integer> request() {
        if (running == null) {
            running = start();
            return running;
        }
        if (next == null) {
            next = new CompletableFuture<>();
        }
        return next;
    }

    private CompletableFuture<Integer> start() {
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(this::pages, session.io);
        run.whenCompleteAsync((n, error) -> {
            running = null;
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof LoggedOutException || session.closed || session.loggedOut != null) {
                // nothing more to do
            } else if (cause != null) {
                session.status("sync failed (" + cause.getMessage() + "); retrying in " + SYNC_RETRY_MS / 1000 + " s");
                schedule(SYNC_RETRY_MS);
            } else if (next == null && session.state.hasGaps()) {
                schedule(GAP_RETRY_MS);     // the server did not have the missing seq yet
            }
            if (next != null) {
                CompletableFuture<Integer> waiting = next;
                next = null;
                running = start();
                running.whenComplete((m, e) -> {
                    if (e != null) {
                        waiting.completeExceptionally(e);
                    } else {
                        waiting.complete(m);
                    }
                });
            }
        }, session.events);
        return run;
    }

    private void schedule(long delayMs) {
        if (!scheduled && !session.closed) {
            scheduled = true;
            session.events.schedule(() -> {
                scheduled = false;
                request();
            }, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs on the io thread: pages until {@code hasMore} is false; returns how many messages were new. */
    private int pages() {
        int fresh = 0;
        try {
            while (true) {
                String cursor = session.state.syncCursor();
                ServerEvent.Sync page = session.rest(() -> session.rest.sync(session.requireHistory(),
                        session.login.token(), cursor, SYNC_PAGE));
                fresh += session.events.submit(() -> apply.applyAsInt(page)).get();
                if (!page.hasMore()) {
                    if (page.retryAfterMs() != null) {
                        // a conversation stopped at a seq that may still be stored: ask again to get past it
                        session.runOnEvents(() -> schedule(page.retryAfterMs()));
                    }
                    return fresh;
                }
            }
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException | RejectedExecutionException e) {
            throw new CompletionException(e);
        }
    }
}
