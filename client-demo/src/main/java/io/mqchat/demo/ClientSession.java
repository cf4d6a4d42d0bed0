package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ServerEvent;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What the parts of a {@link ChatClient} share: the device (user, type, login), its local state, the event
 * thread that owns every state change, the io thread for blocking REST calls, the app's listeners, and whether
 * the client is closed or logged out. Package-private: the app sees only {@link ChatClient}.
 */
final class ClientSession {

    final RestClient rest = new RestClient();
    final URI api;
    final String user;
    final String device;
    final RestClient.Login login;
    final LocalState state;
    volatile URI historyService;

    /** The event thread: all state changes, all listener calls. */
    final ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(daemon("mqchat-client-events"));
    /** Blocking sync requests, so they never hold up the event thread. */
    final ExecutorService io = Executors.newSingleThreadExecutor(daemon("mqchat-client-sync"));

    final List<Consumer<ChatMessage>> messageListeners = new CopyOnWriteArrayList<>();
    final List<Consumer<ServerEvent>> eventListeners = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> statusListeners = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> loggedOutListeners = new CopyOnWriteArrayList<>();

    volatile ChatConnection connection;
    volatile boolean closed;
    /** Why the server no longer accepts the token; null while it does. */
    volatile String loggedOut;
    /** Event thread only: the inbox subscription of the current connection is acknowledged. */
    boolean subscribed;

    ClientSession(URI api, String user, String device, RestClient.Login login, LocalState state) {
        this.api = api;
        this.user = user;
        this.device = device;
        this.login = login;
        this.state = state;
    }

    /** Whether a message was sent by this user (from any of their devices). */
    boolean isOwn(ChatMessage message) {
        return user.equals(message.from());
    }

    URI requireHistory() {
        URI uri = historyService;
        if (uri == null) {
            throw new IllegalStateException("no history-service URL set (withHistory)");
        }
        return uri;
    }

    /** A REST call with the token; a 401 means the token is dead (the client is then logged out). */
    <T> T rest(RestCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (ProblemResponse e) {
            if (!e.loggedOut()) {
                throw e;
            }
            String reason = "logged out (" + e.getMessage() + "): log in again";
            runOnEvents(() -> loggedOut(reason));
            throw new LoggedOutException(reason, e);
        }
    }

    interface RestCall<T> {
        T run() throws IOException;
    }

    /** Event thread: the token is dead — stop reconnecting, tell the app once. */
    void loggedOut(String reason) {
        if (loggedOut != null || closed) {
            return;
        }
        loggedOut = reason;
        subscribed = false;
        ChatConnection c = connection;
        if (c != null) {
            java.util.concurrent.CompletableFuture.runAsync(c::close); // stops its reconnect loop; it blocks
        }
        status(reason);
        for (Consumer<String> listener : loggedOutListeners) {
            try {
                listener.accept(reason);
            } catch (RuntimeException e) {
                status("logged-out listener failed: " + e);
            }
        }
    }

    /** Event thread: saves the state, then hands the messages to the app; returns how many. */
    int deliver(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return 0;
        }
        save();
        for (ChatMessage message : messages) {
            for (Consumer<ChatMessage> listener : messageListeners) {
                try {
                    listener.accept(message);
                } catch (RuntimeException e) {
                    status("message listener failed: " + e);
                }
            }
        }
        return messages.size();
    }

    void emit(ServerEvent event) {
        for (Consumer<ServerEvent> listener : eventListeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                status("event listener failed: " + e);
            }
        }
    }

    void save() {
        try {
            state.save();
        } catch (IOException e) {
            status("cannot save " + state.file() + ": " + e.getMessage());
        }
    }

    void status(String text) {
        for (Consumer<String> listener : statusListeners) {
            try {
                listener.accept(text);
            } catch (RuntimeException ignored) {
                // a status listener must not break the client
            }
        }
    }

    boolean runOnEvents(Runnable task) {
        try {
            events.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
