package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore;
import io.mqchat.common.protocol.Topics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Removes retained messages from topics that must never have one: inboxes, groups, requests and responses.
 * Chat messages are never retained (a retained one would be replayed to every new subscriber); one left there
 * by an older version, a Last Will or another extension is removed at start. Presence ({@code chat/p/}) is
 * retained on purpose and stays.
 */
public final class RetainedCleanup {

    private static final List<String> NEVER_RETAINED = List.of(Topics.INBOX_PREFIX, Topics.GROUP_PREFIX,
            Topics.REQUEST_PREFIX, Topics.RESPONSE_PREFIX, Topics.SIGNAL_PREFIX);

    private final RetainedMessageStore store;
    private final Executor callbacks;

    public RetainedCleanup(@NotNull RetainedMessageStore store, @NotNull Executor callbacks) {
        this.store = store;
        this.callbacks = callbacks;
    }

    static boolean mustNotBeRetained(String topic) {
        return NEVER_RETAINED.stream().anyMatch(topic::startsWith);
    }

    /** Removes them; completes with how many were removed. */
    public CompletableFuture<Integer> run() {
        List<String> found = Collections.synchronizedList(new ArrayList<>());
        return store.iterateAllRetainedMessages((context, publish) -> {
            if (mustNotBeRetained(publish.getTopic())) {
                found.add(publish.getTopic());
            }
        }, callbacks).thenCompose(done -> {
            // one at a time: HiveMQ rate-limits extension service calls
            CompletableFuture<Void> removals = CompletableFuture.completedFuture(null);
            for (String topic : List.copyOf(found)) {
                removals = removals.thenCompose(previous -> store.remove(topic));
            }
            return removals.thenApply(removed -> found.size());
        });
    }
}
