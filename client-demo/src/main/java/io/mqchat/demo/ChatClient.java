package io.mqchat.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.ErrorEvent;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.Topics;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A reliable mqchat client for one device of one user — the reference for client authors.
 *
 * <pre>{@code
 * ChatClient alice = ChatClient.login(URI.create("http://localhost:8080"), "alice", "secret", "phone")
 *         .withHistory(URI.create("http://localhost:8081"));
 * alice.onMessage(m -> System.out.println(m.from() + ": " + m.body().asText()));
 * alice.connect(URI.create("tcp://localhost:1883"), false);
 * ChatMessage stored = alice.send("bob", "hello").get(10, TimeUnit.SECONDS);   // stored.seq() is its place
 * alice.close();
 * }</pre>
 *
 * <h2>How it stays reliable</h2>
 * <ol>
 *   <li><b>Own message ids.</b> Every message gets a {@code cid} ({@link Cids}) before anything is sent.</li>
 *   <li><b>Write ahead.</b> The message goes into the local {@link LocalState} file before it is published,
 *       and leaves it only when the server has taken responsibility: a successful PUBACK, the stored copy
 *       arriving on our inbox, or a definitive refusal.</li>
 *   <li><b>Re-send after every (re)connect</b> — and after a restart — with the <em>same</em> cid. The server
 *       stores a (sender, cid) once and answers a retry with the original id/seq, so this never duplicates.</li>
 *   <li><b>Confirmation is the stored copy.</b> The server delivers every stored message to the sender's
 *       inbox too; {@link #send} completes with that copy, which carries the server's id, conv and seq.</li>
 *   <li><b>Dedupe by id, track seq.</b> Delivery is at-least-once; arriving messages are deduplicated by
 *       {@code id}, and the last seq per conversation is remembered. After a reconnect, and when a live
 *       message skips seqs, the missed range is fetched from history (if {@link #withHistory} was set).</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * Everything that touches state runs on one event thread ({@code mqchat-client-events}); message and
 * status listeners are called there, in order. Do not block in a listener (in particular do not wait on
 * {@link #send}'s future there). Public methods may be called from any thread. No console I/O, no exit.
 */
public final class ChatClient implements AutoCloseable {

    /** Publishes in flight at once; below the broker's receive maximum (10 by default). */
    static final int WINDOW = 8;
    /** Pause before trying again after a publish could not be sent or storage was unavailable. */
    private static final long RETRY_DELAY_MS = 2_000;
    private static final int HISTORY_PAGE = 200;
    private static final long CONNECT_TIMEOUT_SECONDS = 30;

    private final RestClient rest = new RestClient();
    private final String user;
    private final String device;
    private final RestClient.Login login;
    private final LocalState state;
    private volatile URI historyService;

    /** The event thread: all state changes, all listener calls. */
    private final ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(
            daemon("mqchat-client-events"));
    /** Blocking history requests, so they never hold up the event thread. */
    private final ExecutorService io = Executors.newSingleThreadExecutor(daemon("mqchat-client-history"));

    private final List<Consumer<ChatMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> statusListeners = new CopyOnWriteArrayList<>();
    /** send() futures by cid, completed by the stored copy or a refusal. */
    private final Map<String, CompletableFuture<ChatMessage>> waiting = new ConcurrentHashMap<>();

    // event-thread only
    private final Map<String, Object> inFlight = new HashMap<>();
    private boolean subscribed;
    private boolean retryScheduled;

    private volatile ChatConnection connection;
    private volatile CompletableFuture<Void> firstSubscription = new CompletableFuture<>();
    private volatile boolean closed;

    private ChatClient(String user, String device, RestClient.Login login, LocalState state) {
        this.user = user;
        this.device = device;
        this.login = login;
        this.state = state;
    }

    /** Logs in (chat-api) and loads this device's state from {@code ~/.mqchat-demo}. */
    public static ChatClient login(URI api, String user, String password, String device) throws IOException {
        return login(api, user, password, device, LocalState.defaultDirectory());
    }

    /** Logs in (chat-api) and loads this device's state from {@code stateDir/{user}-{device}.json}. */
    public static ChatClient login(URI api, String user, String password, String device, Path stateDir)
            throws IOException {
        if (!Ids.isValidUserId(user)) {
            throw new IllegalArgumentException("invalid user id '" + user + "': " + Ids.userIdRule());
        }
        if (!Ids.isValidDeviceType(device)) {
            throw new IllegalArgumentException("invalid device type '" + device + "' (e.g. phone, desktop, bot)");
        }
        LocalState state = LocalState.load(LocalState.fileFor(stateDir, user, device));
        RestClient.Login login = new RestClient().login(api, user, password, device);
        return new ChatClient(user, device, login, state);
    }

    /** Sets the history-service URL: enables {@link #history}, catch-up after reconnects and gap filling. */
    public ChatClient withHistory(URI historyService) {
        this.historyService = historyService;
        return this;
    }

    /** Called with every new (deduplicated) chat message, including the copies of our own. */
    public ChatClient onMessage(Consumer<ChatMessage> listener) {
        messageListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Called with human-readable connection events (connected, lost, re-sent, sync problems). */
    public ChatClient onStatus(Consumer<String> listener) {
        statusListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Connects (MQTT 5, or 3.1.1 when {@code mqtt3}) and returns once our inbox is subscribed. Messages
     * left unacknowledged by an earlier run are re-sent right away. Later drops reconnect automatically.
     */
    public void connect(URI broker, boolean mqtt3) throws IOException {
        if (connection != null) {
            throw new IllegalStateException("already connected");
        }
        try {
            connection = ChatConnection.create(mqtt3, broker, login.clientId(), user, login.token(), new Events());
            connection.connect();
            firstSubscription.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        } catch (ExecutionException e) {
            throw new IOException("cannot subscribe to " + Topics.inbox(user) + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no subscription acknowledgement within " + CONNECT_TIMEOUT_SECONDS + " s");
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // Paho's MqttException: bad credentials, broker unreachable, ...
            throw new IOException("cannot connect to " + broker + ": " + e.getMessage(), e);
        }
    }

    /** Sends a text message to a user; see {@link #send(String, String, JsonNode)}. */
    public CompletableFuture<ChatMessage> send(String peer, String text) {
        return send(peer, "text", TextNode.valueOf(text));
    }

    /**
     * Sends a direct message. The future completes with the stored copy (server id, conv, seq) when it
     * arrives on our inbox, or exceptionally with a {@link SendRefusedException} if the server refuses it.
     * While the connection is down it simply stays pending: the message is in the local state and is
     * re-sent with the same cid after the reconnect (or the next run). Use {@code orTimeout} to bound it.
     */
    public CompletableFuture<ChatMessage> send(String peer, String type, JsonNode body) {
        if (!Ids.isValidUserId(peer)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("invalid user id '" + peer + "': " + Ids.userIdRule()));
        }
        LocalState.Pending message = new LocalState.Pending(Cids.next(device), peer, type, body,
                System.currentTimeMillis());
        CompletableFuture<ChatMessage> result = new CompletableFuture<>();
        waiting.put(message.cid(), result);
        if (!runOnEvents(() -> {
            try {
                state.addUnacked(message);
                state.save();               // write ahead: on disk before it is on the wire
            } catch (IOException e) {
                state.removeUnacked(message.cid());
                fail(message.cid(), new IOException("cannot save " + state.file() + ": " + e.getMessage(), e));
                return;
            }
            pump();
        })) {
            fail(message.cid(), new IllegalStateException("client is closed"));
        }
        return result;
    }

    /**
     * One page of the direct conversation with {@code peer}, ascending, after {@code afterSeq}.
     * Blocking REST call; needs {@link #withHistory}.
     */
    public RestClient.HistoryPage history(String peer, long afterSeq, int limit) throws IOException {
        return rest.history(requireHistory(), login.token(), conversationWith(peer), afterSeq, limit);
    }

    /**
     * Fetches everything missed in every known conversation (after its last seq) and delivers it to the
     * message listeners like live messages. Runs in the background; completes with how many were new.
     * Done automatically after each reconnect when {@link #withHistory} is set.
     */
    public CompletableFuture<Integer> sync() {
        requireHistory();
        return CompletableFuture.supplyAsync(() -> {
            int fresh = 0;
            for (Map.Entry<String, Long> conv : state.lastSeqs().entrySet()) {
                fresh += catchUp(conv.getKey(), conv.getValue());
            }
            return fresh;
        }, io);
    }

    /** The conversation id of our direct conversation with {@code peer}: {@code d:{smaller}:{larger}}. */
    public String conversationWith(String peer) {
        return ConversationId.direct(user, peer).toString();
    }

    /** Whether a message was sent by this user (from any of their devices). */
    public boolean isOwn(ChatMessage message) {
        return user.equals(message.from());
    }

    /** Whether a message was sent by this very device (client id {@code user:device}). */
    public boolean isFromThisDevice(ChatMessage message) {
        return isOwn(message) && device.equals(message.dev());
    }

    public String user() {
        return user;
    }

    public String device() {
        return device;
    }

    public String clientId() {
        return login.clientId();
    }

    /** The login token (bearer token for the REST services, password for MQTT). */
    public String token() {
        return login.token();
    }

    public RestClient.Login loginInfo() {
        return login;
    }

    /** The local state: unacknowledged messages and last seqs (read it, do not change it). */
    public LocalState state() {
        return state;
    }

    /** Whether the MQTT connection is currently up. */
    public boolean isConnected() {
        ChatConnection c = connection;
        return c != null && c.isConnected();
    }

    /**
     * Disconnects and saves the state. Sends still waiting fail with an {@link IllegalStateException};
     * their messages stay in the state file and are re-sent with the same cid by the next run.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ChatConnection c = connection;
        if (c != null) {
            c.close();
        }
        io.shutdownNow();
        try {
            events.submit(() -> {
                try {
                    state.save();
                } catch (IOException e) {
                    status("cannot save " + state.file() + ": " + e.getMessage());
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        events.shutdownNow();
        IllegalStateException closedBeforeConfirmed = new IllegalStateException(
                "client closed before the message was confirmed; it stays queued in " + state.file()
                        + " and is re-sent with the same cid on the next connect");
        waiting.keySet().forEach(cid -> fail(cid, closedBeforeConfirmed));
    }

    // ---------------------------------------------------------------------------------------------
    // Connection events (called on Paho's threads, handed to the event thread)

    private final class Events implements ChatConnection.Listener {
        @Override
        public void connected(boolean reconnect) {
            runOnEvents(() -> onConnected(reconnect));
        }

        @Override
        public void connectionLost(Throwable cause) {
            runOnEvents(() -> {
                subscribed = false;
                status("connection lost (" + cause.getMessage() + "); reconnecting");
            });
        }

        @Override
        public void messageArrived(String topic, byte[] payload) {
            // Handle it completely (state saved, listeners called) before returning: Paho sends the
            // PUBACK only after this returns, so a crash here means the broker delivers it again.
            try {
                events.submit(() -> onPayload(topic, payload)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RejectedExecutionException e) {
                // closed, or a listener threw; nothing more to do
            }
        }
    }

    private void onConnected(boolean reconnect) {
        status((reconnect ? "reconnected" : "connected") + " (" + connection.protocol() + ") as " + login.clientId());
        // Whatever was in flight on the old connection is re-sent on this one (same cids).
        inFlight.clear();
        // The persistent session normally keeps our subscription; subscribing again is harmless and
        // necessary when the session expired.
        connection.subscribe(Topics.inbox(user)).whenCompleteAsync((ok, error) -> {
            if (error != null) {
                status("cannot subscribe to " + Topics.inbox(user) + ": " + error.getMessage());
                firstSubscription.completeExceptionally(error);
                return;
            }
            subscribed = true;
            firstSubscription.complete(null);
            int unacked = state.unacked().size();
            if (unacked > 0) {
                status("re-sending " + unacked + " unacknowledged message(s)");
            }
            pump();
            if (reconnect && historyService != null) {
                sync().whenComplete((n, e) -> {
                    if (e != null) {
                        status("catch-up from history failed: " + e.getMessage());
                    } else if (n > 0) {
                        status("caught up " + n + " missed message(s) from history");
                    }
                });
            }
        }, events);
    }

    // ---------------------------------------------------------------------------------------------
    // Sending (event thread)

    /** Publishes unacknowledged messages that are not in flight yet, oldest first, at most WINDOW at once. */
    private void pump() {
        ChatConnection c = connection;
        if (closed || c == null || !subscribed || !c.isConnected()) {
            return;     // onConnected calls pump again
        }
        for (LocalState.Pending message : state.unacked()) {
            if (inFlight.size() >= WINDOW) {
                return;     // the next acknowledgement calls pump again
            }
            if (inFlight.containsKey(message.cid())) {
                continue;
            }
            Object attempt = new Object();
            inFlight.put(message.cid(), attempt);
            c.publish(Topics.inbox(message.peer()), payload(message))
                    .whenCompleteAsync((ok, error) -> published(message, attempt, error), events);
        }
    }

    private void published(LocalState.Pending message, Object attempt, Throwable error) {
        inFlight.remove(message.cid(), attempt);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null) {
            // PUBACK. MQTT 5: stored. MQTT 3.1.1: stored, or refused with an error event on our inbox.
            // Either way the server has it: never send it again. send() completes with the inbox copy.
            forget(message.cid());
            pump();
        } else if (cause instanceof SendRefusedException refused && !refused.retryable()) {
            forget(message.cid());
            fail(message.cid(), refused);
            pump();
        } else {
            // Not sent, dropped with the connection, window full, or storage unavailable: still ours.
            if (cause instanceof SendRefusedException refused) {
                status("server could not store " + message.cid() + " (" + refused.getMessage() + "); retrying");
            }
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (!retryScheduled && !closed) {
            retryScheduled = true;
            events.schedule(() -> {
                retryScheduled = false;
                pump();
            }, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The wire format of a message: {@code {"cid","type","body"}} — the server adds everything else. */
    static byte[] payload(LocalState.Pending message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("cid", message.cid());
        node.put("type", message.type());
        node.set("body", message.body());
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void forget(String cid) {
        if (state.removeUnacked(cid)) {
            save();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Receiving (event thread)

    private void onPayload(String topic, byte[] payload) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            status("ignored an unreadable message on " + topic);
            return;
        }
        if (node == null || !node.isObject()) {
            status("ignored a non-object message on " + topic);
        } else if (ErrorEvent.TYPE.equals(node.path("type").asText()) && !node.has("id")) {
            onErrorEvent(node);
        } else {
            onChatMessage(ChatMessage.fromJson(node), true);
        }
    }

    /** MQTT 3.1.1's way of refusing a publish: {@code {"type":"error","cid","code","reason","topic"}}. */
    private void onErrorEvent(JsonNode node) {
        String cid = node.path("cid").asText(null);
        SendRefusedException refused = new SendRefusedException(node.path("code").asText("refused"),
                node.path("reason").asText(""));
        if (cid == null || (state.unacked(cid).isEmpty() && !waiting.containsKey(cid))) {
            status("server error event: " + refused.getMessage());
            return;
        }
        if (refused.retryable()) {
            status("server could not store " + cid + "; retrying");
            scheduleRetry();
            return;
        }
        forget(cid);
        fail(cid, refused);
    }

    /** Handles a stored message from the inbox or from history; returns whether it was new. */
    private boolean onChatMessage(ChatMessage message, boolean live) {
        if (isOwn(message) && message.cid() != null) {
            // The stored copy of something we sent: it is safe, and it confirms our send().
            forget(message.cid());
            CompletableFuture<ChatMessage> sent = waiting.remove(message.cid());
            if (sent != null) {
                sent.complete(message);
            }
        }
        long last = state.lastSeq(message.conv());
        if (!state.accept(message)) {
            return false;     // a duplicate (same id): already shown
        }
        save();
        if (live && last > 0 && message.seq() > last + 1 && historyService != null) {
            // A live message skipped seqs: fetch what lies between (holes may be permanent; that is fine).
            String conv = message.conv();
            CompletableFuture.supplyAsync(() -> catchUp(conv, last), io)
                    .exceptionally(e -> {
                        status("gap fill for " + conv + " failed: " + e.getMessage());
                        return 0;
                    });
        }
        for (Consumer<ChatMessage> listener : messageListeners) {
            try {
                listener.accept(message);
            } catch (RuntimeException e) {
                status("message listener failed: " + e);
            }
        }
        return true;
    }

    /** Pages through history after {@code afterSeq} (on the io thread); returns how many were new. */
    private int catchUp(String conv, long afterSeq) {
        int fresh = 0;
        long after = afterSeq;
        try {
            while (true) {
                RestClient.HistoryPage page = rest.history(requireHistory(), login.token(), conv, after, HISTORY_PAGE);
                for (ChatMessage message : page.messages()) {
                    if (events.submit(() -> onChatMessage(message, false)).get()) {
                        fresh++;
                    }
                    after = Math.max(after, message.seq());
                }
                if (!page.hasMore() || page.messages().isEmpty()) {
                    return fresh;
                }
            }
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fresh;
        } catch (ExecutionException | RejectedExecutionException e) {
            return fresh;
        }
    }

    // ---------------------------------------------------------------------------------------------

    private URI requireHistory() {
        URI uri = historyService;
        if (uri == null) {
            throw new IllegalStateException("no history-service URL set (withHistory)");
        }
        return uri;
    }

    private void fail(String cid, Throwable error) {
        CompletableFuture<ChatMessage> sent = waiting.remove(cid);
        if (sent != null) {
            sent.completeExceptionally(error);
        }
    }

    private void save() {
        try {
            state.save();
        } catch (IOException e) {
            status("cannot save " + state.file() + ": " + e.getMessage());
        }
    }

    private void status(String text) {
        for (Consumer<String> listener : statusListeners) {
            try {
                listener.accept(text);
            } catch (RuntimeException ignored) {
                // a status listener must not break the client
            }
        }
    }

    private boolean runOnEvents(Runnable task) {
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
