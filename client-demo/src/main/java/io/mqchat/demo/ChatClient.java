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
 * alice.onMessage(m -> System.out.println(m.from() + ": " + m.body().asText()))
 *      .onEvent(e -> System.out.println(e))                        // read receipts, recalls, kicks
 *      .onLoggedOut(reason -> System.out.println(reason));         // replaced by a newer login: log in again
 * alice.connect(URI.create("tcp://localhost:1883"), false);         // then syncs what was missed
 * alice.conversations().forEach(c -> System.out.println(c.peer() + ": " + c.unread() + " unread"));
 * ChatMessage stored = alice.send("bob", "hello").get(10, TimeUnit.SECONDS);   // stored.seq() is its place
 * RestClient.Group team = alice.createGroup("team", List.of("bob", "carol"));
 * alice.sendToGroup(team.groupId(), "hi @bob", Mentions.extract("hi @bob")).get(10, TimeUnit.SECONDS);
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
 *       inbox too; {@link #send} completes with that copy, which carries the server's id, conv and seq. A group
 *       message comes back on the group topic instead (every member device gets it, the sender's included):
 *       {@link #sendToGroup} completes with it, matched by cid the same way.</li>
 *   <li><b>Groups need no subscribing.</b> The server subscribes our devices to {@code chat/g/{groupId}} for
 *       every group we are in (on connect and when we join); group messages and group events (stored messages
 *       of type {@code event}, see {@link GroupEventText}) reach {@link #onMessage} like direct ones, exactly once
 *       and in seq order per conversation. A removal (or leaving, or the group dissolving) arrives as that
 *       group's last event — on our inbox when we were removed — and closes the conversation: sync no longer
 *       covers it, so nothing waits for a gap below it.</li>
 *   <li><b>Sync after every (re)connect.</b> {@code POST /api/v1/sync} with the stored cursor, page after
 *       page while {@code hasMore}: everything missed in every conversation (also ones this device has never
 *       seen, and past the broker's 1,000-message offline queue). The new cursor is saved after each page.
 *       When the answer has {@code retryAfterMs} (a young gap that may still fill), sync again after it.
 *       Its {@code recalls} (messages recalled since the last sync) reach {@link #onEvent} as recall events,
 *       like live ones: drop the content of those messages (an event may come both live and by sync).</li>
 *   <li><b>Exactly once, in seq order.</b> Live and synced messages go through {@link LocalState#receive}:
 *       duplicates (same {@code id}, or a seq at or below the conversation's <em>complete</em> position) are
 *       dropped, and a message after a gap in seq waits until the gap fills. A gap triggers a sync; the
 *       server's {@code complete} positions say which missing seqs are permanent holes, so nothing waits
 *       longer than the server's hole grace (15 s by default).</li>
 *   <li><b>A dead token stops the client.</b> A kick event, a refused reconnect (MQTT 5 {@code 0x87}, 3.1.1
 *       return code 5) or a REST {@code 401} mean this device was replaced by a newer login or logged out:
 *       the client stops reconnecting and reports {@link #onLoggedOut} once — no reconnect loop.</li>
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
    /** Messages per sync page (the server allows up to 500). */
    private static final int SYNC_PAGE = 200;
    /** When a gap is still open after a sync (the server had not seen the message yet), look again after this. */
    private static final long GAP_RETRY_MS = 1_000;
    /** When a sync failed (history-service unreachable), try again after this. */
    private static final long SYNC_RETRY_MS = 5_000;
    private static final long CONNECT_TIMEOUT_SECONDS = 30;

    private final RestClient rest = new RestClient();
    private final URI api;
    private final String user;
    private final String device;
    private final RestClient.Login login;
    private final LocalState state;
    private volatile URI historyService;

    /** The event thread: all state changes, all listener calls. */
    private final ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(
            daemon("mqchat-client-events"));
    /** Blocking sync requests, so they never hold up the event thread. */
    private final ExecutorService io = Executors.newSingleThreadExecutor(daemon("mqchat-client-sync"));

    private final List<Consumer<ChatMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ServerEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> statusListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> loggedOutListeners = new CopyOnWriteArrayList<>();
    /** send() futures by cid, completed by the stored copy or a refusal. */
    private final Map<String, CompletableFuture<ChatMessage>> waiting = new ConcurrentHashMap<>();

    // event-thread only
    private final Map<String, Object> inFlight = new HashMap<>();
    private boolean subscribed;
    private boolean retryScheduled;
    /** The sync running now, and the one asked for while it ran (it starts when the current one ends). */
    private CompletableFuture<Integer> syncRunning;
    private CompletableFuture<Integer> syncNext;
    private boolean syncScheduled;

    private volatile ChatConnection connection;
    private volatile CompletableFuture<Void> firstSubscription = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile String loggedOut;

    private ChatClient(URI api, String user, String device, RestClient.Login login, LocalState state) {
        this.api = api;
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
        return new ChatClient(api, user, device, login, state);
    }

    /**
     * Sets the history-service URL: enables sync after every (re)connect and gap filling, {@link #history},
     * {@link #conversations} and {@link #markRead}. Without it, only live messages arrive.
     */
    public ChatClient withHistory(URI historyService) {
        this.historyService = historyService;
        return this;
    }

    /**
     * Called with every new (deduplicated) chat message, including the copies of our own, in seq order per
     * conversation: direct ({@code d:...}) and group ({@code g:...}) messages, and group events (type
     * {@code event}; {@link GroupEventText#render} says them in words).
     */
    public ChatClient onMessage(Consumer<ChatMessage> listener) {
        messageListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Called with the server's events: read positions, recalls and kicks (a kick is followed by {@link #onLoggedOut}). */
    public ChatClient onEvent(Consumer<ServerEvent> listener) {
        eventListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Called once, with the reason, when the server no longer accepts this device's token (a kick, a refused
     * reconnect, or a REST 401): the client has stopped reconnecting; the user must log in again.
     */
    public ChatClient onLoggedOut(Consumer<String> listener) {
        loggedOutListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Called with human-readable connection events (connected, lost, re-sent, sync problems). */
    public ChatClient onStatus(Consumer<String> listener) {
        statusListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Connects (MQTT 5, or 3.1.1 when {@code mqtt3}) and returns once our inbox is subscribed. Messages
     * left unacknowledged by an earlier run are re-sent right away, and a sync starts in the background.
     * Later drops reconnect automatically (and sync again). Throws a {@link LoggedOutException} when the
     * broker refuses the token.
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
        } catch (LoggedOutException e) {
            loggedOut(e.getMessage());
            throw e;
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
        return enqueue(new LocalState.Pending(Cids.next(device), peer, type, body, System.currentTimeMillis()));
    }

    /**
     * Sends a text message to a group; {@code mentions} are user ids (or {@code "all"}, admins only) to notify —
     * see {@link Mentions#extract} for taking them from {@code @user} words. See
     * {@link #sendToGroup(String, String, JsonNode, List)}.
     */
    public CompletableFuture<ChatMessage> sendToGroup(String groupId, String text, List<String> mentions) {
        return sendToGroup(groupId, "text", TextNode.valueOf(text), mentions);
    }

    /**
     * Sends a message to a group (QoS 1 to {@code chat/g/{groupId}}), with the same guarantees as {@link #send}:
     * written ahead, re-sent with the same cid after a reconnect or restart, and the future completes with the
     * stored copy (server id, conv {@code g:{groupId}}, seq) when it arrives on the group topic — every member
     * device gets it, ours included. Refusals complete it exceptionally with a {@link SendRefusedException}:
     * {@code not_authorized} (not a member), {@code muted} (we or the whole group are muted), ...
     */
    public CompletableFuture<ChatMessage> sendToGroup(String groupId, String type, JsonNode body, List<String> mentions) {
        if (!Ids.isValidGroupId(groupId)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("invalid group id '" + groupId + "'"));
        }
        List<String> named = mentions == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(mentions));
        for (String mention : named) {
            if (!mention.equals(ChatMessage.MENTION_ALL) && !Ids.isValidUserId(mention)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("invalid mention '" + mention
                        + "': a user id or \"" + ChatMessage.MENTION_ALL + "\""));
            }
        }
        if (named.size() > Mentions.MAX) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("at most " + Mentions.MAX + " mentions"));
        }
        return enqueue(LocalState.Pending.toGroup(Cids.next(device), groupId, type, body, System.currentTimeMillis(),
                named));
    }

    /** Writes the message ahead and publishes it when the connection allows; see {@link #send}. */
    private CompletableFuture<ChatMessage> enqueue(LocalState.Pending message) {
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
        return rest(() -> rest.history(requireHistory(), login.token(), conversationWith(peer), afterSeq, limit));
    }

    /**
     * One page of any conversation we belong to ({@code d:...} or {@code g:{groupId}}), ascending, after
     * {@code afterSeq}. Blocking REST call; needs {@link #withHistory}.
     */
    public RestClient.HistoryPage conversationHistory(String conv, long afterSeq, int limit) throws IOException {
        return rest(() -> rest.history(requireHistory(), login.token(), conv, afterSeq, limit));
    }

    /** Creates a group with us as its owner and {@code members} as members (chat-api). Blocking REST call. */
    public RestClient.Group createGroup(String name, List<String> members) throws IOException {
        return rest(() -> rest.createGroup(api, login.token(), name, members));
    }

    /** The groups we are a member of (chat-api). Blocking REST call. */
    public List<RestClient.Group> myGroups() throws IOException {
        return rest(() -> rest.myGroups(api, login.token()));
    }

    /** Adds users to a group (admins and the owner; chat-api). Blocking REST call. */
    public void addMembers(String groupId, List<String> userIds) throws IOException {
        rest(() -> {
            rest.addMembers(api, login.token(), groupId, userIds);
            return null;
        });
    }

    /** Removes a member from a group (admins: members, the owner: anyone; our own id: leave). Blocking REST call. */
    public void removeMember(String groupId, String userId) throws IOException {
        rest(() -> {
            rest.removeMember(api, login.token(), groupId, userId);
            return null;
        });
    }

    /** Our conversations (direct and groups), most recently active first, with unread counts. Blocking REST call; needs {@link #withHistory}. */
    public List<RestClient.Conversation> conversations() throws IOException {
        return rest(() -> rest.conversations(requireHistory(), login.token(), 100));
    }

    /**
     * Marks {@code conv} read up to the last message this device has shown ({@link LocalState#complete}).
     * The server tells our other devices and the peer with a read event. Blocking; needs {@link #withHistory}.
     */
    public RestClient.ReadPosition markRead(String conv) throws IOException {
        return markRead(conv, state.complete(conv));
    }

    /** Marks {@code conv} read up to {@code seq} (read positions only move forward). */
    public RestClient.ReadPosition markRead(String conv, long seq) throws IOException {
        return rest(() -> rest.markRead(requireHistory(), login.token(), conv, seq));
    }

    /**
     * Syncs now: pages through {@code POST /api/v1/sync} from the stored cursor and delivers what is new to
     * the message listeners (exactly once, in seq order per conversation). Runs in the background; completes
     * with how many messages were new. Done automatically after every (re)connect and when a gap appears.
     * If a sync is running, the returned one starts after it.
     */
    public CompletableFuture<Integer> sync() {
        requireHistory();
        CompletableFuture<CompletableFuture<Integer>> started = new CompletableFuture<>();
        if (!runOnEvents(() -> started.complete(requestSync()))) {
            return CompletableFuture.failedFuture(new IllegalStateException("client is closed"));
        }
        return started.thenCompose(f -> f);
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

    /** The local state: unacknowledged messages, sync cursor, complete positions (read it, do not change it). */
    public LocalState state() {
        return state;
    }

    /** Why the server no longer accepts this device's token ({@code null} while it does); see {@link #onLoggedOut}. */
    public String loggedOutReason() {
        return loggedOut;
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
                if (loggedOut == null) {
                    status("connection lost (" + cause.getMessage() + "); reconnecting");
                }
            });
        }

        @Override
        public void loggedOut(LoggedOutException cause) {
            runOnEvents(() -> ChatClient.this.loggedOut(cause.getMessage()));
        }

        @Override
        public void messageArrived(String topic, byte[] payload) {
            received(topic, payload);
        }
    }

    /**
     * A message arrived on {@code topic} (our inbox, or a group topic the server subscribed us to). Handles it
     * completely (state saved, listeners called) before returning: Paho sends the PUBACK only after this
     * returns, so a crash here means the broker delivers it again. Package-private for tests.
     */
    void received(String topic, byte[] payload) {
        try {
            events.submit(() -> onPayload(topic, payload)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RejectedExecutionException e) {
            // closed, or a listener threw; nothing more to do
        }
    }

    private void onConnected(boolean reconnect) {
        if (loggedOut != null) {
            return;
        }
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
            if (historyService != null) {
                // What arrived while we were away (or ever, on a new device), whatever the broker kept for us.
                requestSync().thenAccept(n -> {
                    if (n > 0) {
                        status("synced " + n + " missed message(s)");
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
            c.publish(message.topic(), payload(message))
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

    /**
     * The wire format of a message: {@code {"cid","type","body"}}, plus {@code "mentions"} for a group message
     * that mentions someone — the server adds everything else.
     */
    static byte[] payload(LocalState.Pending message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("cid", message.cid());
        node.put("type", message.type());
        node.set("body", message.body());
        if (message.mentions() != null) {
            message.mentions().forEach(node.putArray("mentions")::add);
        }
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
        } else if (node.has("seq")) {
            onChatMessage(ChatMessage.fromJson(node), true);     // only chat messages have a seq
        } else if (ErrorEvent.TYPE.equals(node.path("type").asText())) {
            onErrorEvent(node);
        } else {
            ServerEvent event = ServerEvent.parse(node);    // null: a type we do not know; ignore it
            if (event != null) {
                emit(event);
            }
            if (event instanceof ServerEvent.Kick kick) {
                loggedOut("logged out: " + (kick.reason().isEmpty() ? "this " + kick.device() + " logged in elsewhere"
                        : kick.reason()) + "; log in again");
            }
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

    /** Handles a stored message, live or from sync; returns how many messages were delivered. */
    private int onChatMessage(ChatMessage message, boolean live) {
        if (isOwn(message) && message.cid() != null) {
            // The stored copy of something we sent: it is safe, and it confirms our send().
            forget(message.cid());
            CompletableFuture<ChatMessage> sent = waiting.remove(message.cid());
            if (sent != null) {
                sent.complete(message);
            }
        }
        int delivered = deliver(state.receive(message));
        if (GroupEventText.endsMembership(message, user)) {
            // Removed, left, or dissolved: the server sends nothing more of this group, and sync leaves it out.
            // Whatever still waits behind a gap below this event will never come: deliver up to it now, and
            // do not keep syncing for the gap.
            delivered += deliver(state.completeUpTo(message.conv(), message.seq()));
        }
        if (live && state.hasGap(message.conv()) && historyService != null) {
            requestSync();      // a seq is missing: sync fetches it, or says it is a permanent hole
        }
        return delivered;
    }

    private int deliver(List<ChatMessage> messages) {
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

    private void emit(ServerEvent event) {
        for (Consumer<ServerEvent> listener : eventListeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                status("event listener failed: " + e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sync (started on the event thread, pages fetched on the io thread)

    /** Starts a sync, or — if one is running — one more right after it (what arrived meanwhile). */
    private CompletableFuture<Integer> requestSync() {
        if (syncRunning == null) {
            syncRunning = startSync();
            return syncRunning;
        }
        if (syncNext == null) {
            syncNext = new CompletableFuture<>();
        }
        return syncNext;
    }

    private CompletableFuture<Integer> startSync() {
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(this::syncPages, io);
        run.whenCompleteAsync((n, error) -> {
            syncRunning = null;
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof LoggedOutException || closed || loggedOut != null) {
                // nothing more to do
            } else if (cause != null) {
                status("sync failed (" + cause.getMessage() + "); retrying in " + SYNC_RETRY_MS / 1000 + " s");
                scheduleSync(SYNC_RETRY_MS);
            } else if (syncNext == null && state.hasGaps()) {
                scheduleSync(GAP_RETRY_MS);     // the server did not have the missing seq yet
            }
            if (syncNext != null) {
                CompletableFuture<Integer> next = syncNext;
                syncNext = null;
                syncRunning = startSync();
                syncRunning.whenComplete((m, e) -> {
                    if (e != null) {
                        next.completeExceptionally(e);
                    } else {
                        next.complete(m);
                    }
                });
            }
        }, events);
        return run;
    }

    private void scheduleSync(long delayMs) {
        if (!syncScheduled && !closed) {
            syncScheduled = true;
            events.schedule(() -> {
                syncScheduled = false;
                requestSync();
            }, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs on the io thread: pages until {@code hasMore} is false; returns how many messages were new. */
    private int syncPages() {
        int fresh = 0;
        try {
            while (true) {
                String cursor = state.syncCursor();
                RestClient.SyncPage page = rest(() -> rest.sync(requireHistory(), login.token(), cursor, SYNC_PAGE));
                fresh += events.submit(() -> applySyncPage(page)).get();
                if (!page.hasMore()) {
                    if (page.retryAfterMs() != null) {
                        // a conversation stopped at a seq that may still be stored: ask again to get past it
                        runOnEvents(() -> scheduleSync(page.retryAfterMs()));
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

    /**
     * Event thread: delivers a page's messages, then moves past the holes it reports, then passes on its recalls
     * (as recall events, the path of live ones: a device that was offline without a queued session learns of
     * recalls of messages it already had), then keeps the cursor.
     */
    private int applySyncPage(RestClient.SyncPage page) {
        int delivered = 0;
        for (ChatMessage message : page.messages()) {
            delivered += onChatMessage(message, false);
        }
        for (JsonNode recall : page.recalls()) {
            ServerEvent event = ServerEvent.parse(recall);
            if (event != null) {
                emit(event);
            }
        }
        for (Map.Entry<String, Long> complete : page.complete().entrySet()) {
            delivered += deliver(state.completeUpTo(complete.getKey(), complete.getValue()));
        }
        for (String conv : page.left()) {
            // removed (or the group dissolved) while this device was away: nothing more comes from there
            delivered += deliver(state.closeGroup(conv));
            status("no longer a member of " + conv);
        }
        state.syncCursor(page.cursor());
        save();     // after the messages: a crash in between only means the page comes again (deduped)
        return delivered;
    }

    /** The token is dead: stop reconnecting, tell the app once. */
    private void loggedOut(String reason) {
        if (loggedOut != null || closed) {
            return;
        }
        loggedOut = reason;
        subscribed = false;
        ChatConnection c = connection;
        if (c != null) {
            CompletableFuture.runAsync(c::close);   // stops its reconnect loop; not on the event thread (it blocks)
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

    /** A REST call with the token; a 401 means the token is dead (see {@link #onLoggedOut}). */
    private <T> T rest(RestCall<T> call) throws IOException {
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

    private interface RestCall<T> {
        T run() throws IOException;
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
