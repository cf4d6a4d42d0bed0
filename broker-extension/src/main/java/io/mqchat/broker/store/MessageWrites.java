package io.mqchat.broker.store;

import io.mqchat.common.protocol.ChatMessage;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the publish path needs of the message store: write one message, find an earlier attempt's. */
public interface MessageWrites {

    /** Completes once the store acknowledged the write (or knows why not); see {@link MessageStore#insert}. */
    CompletableFuture<MessageStore.Outcome> insert(ChatMessage message, long deadlineNanos);

    /** The message a sender stored earlier under a client message id. */
    CompletableFuture<Optional<ChatMessage>> findByClientId(String from, String cid);
}
