package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 *
 * <h2>Parts</h2>
 * This class is the facade; {@link LiveConnection} is the connection's life cycle, {@link Outbox} sends,
 * {@link Inbound} receives, {@link SyncLoop} syncs, and {@link ClientSession} is what they share (the device, its state, the threads, the
 * listeners).
 */
public final class ChatClient implements AutoCloseable {

    private final ClientSession session;
    private final Outbox outbox;
    private final Inbound inbound;
    private final SyncLoop sync;
    private final LiveConnection connection;

    private ChatClient(URI api, String user, String device, RestClient.Login login, LocalState state) {
        this.session = new ClientSession(api, user, device, login, state);
        this.outbox = new Outbox(session);
        this.inbound = new Inbound(session, outbox, this::requestSync);
        this.sync = new SyncLoop(session, inbound::onSyncPage);
        this.connection = new LiveConnection(session, outbox, inbound, sync);
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
        session.historyService = historyService;
        return this;
    }

    /**
     * Called with every new (deduplicated) chat message, including the copies of our own, in seq order per
     * conversation: direct ({@code d:...}) and group ({@code g:...}) messages, and group events (type
     * {@code event}; {@link GroupEventText#render} says them in words).
     */
    public ChatClient onMessage(Consumer<ChatMessage> listener) {
        session.messageListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Called with the server's events: read positions, recalls and kicks (a kick is followed by {@link #onLoggedOut}). */
    public ChatClient onEvent(Consumer<ServerEvent> listener) {
        session.eventListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Called once, with the reason, when the server no longer accepts this device's token (a kick, a refused
     * reconnect, or a REST 401): the client has stopped reconnecting; the user must log in again.
     */
    public ChatClient onLoggedOut(Consumer<String> listener) {
        session.loggedOutListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Called with human-readable connection events (connected, lost, re-sent, sync problems). */
    public ChatClient onStatus(Consumer<String> listener) {
        session.statusListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Connects (MQTT 5, or 3.1.1 when {@code mqtt3}) and returns once our inbox is subscribed. Messages
     * left unacknowledged by an earlier run are re-sent right away, and a sync starts in the background.
     * Later drops reconnect automatically (and sync again). Throws a {@link LoggedOutException} when the
     * broker refuses the token.
     */
    public void connect(URI broker, boolean mqtt3) throws IOException {
        connection.connect(broker, mqtt3);
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
        return enqueue(new LocalState.Pending(Cids.next(session.device), peer, type, body, System.currentTimeMillis()));
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
        return enqueue(LocalState.Pending.toGroup(Cids.next(session.device), groupId, type, body, System.currentTimeMillis(),
                named));
    }

    /** Writes the message ahead and publishes it when the connection allows; see {@link #send}. */
    private CompletableFuture<ChatMessage> enqueue(LocalState.Pending message) {
        return outbox.enqueue(message);
    }

    /**
     * One page of the direct conversation with {@code peer}, ascending, after {@code afterSeq}.
     * Blocking REST call; needs {@link #withHistory}.
     */
    public RestClient.HistoryPage history(String peer, long afterSeq, int limit) throws IOException {
        return rest(() -> session.rest.history(session.requireHistory(), session.login.token(), conversationWith(peer), afterSeq, limit));
    }

    /**
     * One page of any conversation we belong to ({@code d:...} or {@code g:{groupId}}), ascending, after
     * {@code afterSeq}. Blocking REST call; needs {@link #withHistory}.
     */
    public RestClient.HistoryPage conversationHistory(String conv, long afterSeq, int limit) throws IOException {
        return rest(() -> session.rest.history(session.requireHistory(), session.login.token(), conv, afterSeq, limit));
    }

    /** Creates a group with us as its owner and {@code members} as members (chat-api). Blocking REST call. */
    public RestClient.Group createGroup(String name, List<String> members) throws IOException {
        return rest(() -> session.rest.createGroup(session.api, session.login.token(), name, members));
    }

    /** The groups we are a member of (chat-api). Blocking REST call. */
    public List<RestClient.Group> myGroups() throws IOException {
        return rest(() -> session.rest.myGroups(session.api, session.login.token()));
    }

    /** Adds users to a group (admins and the owner; chat-api). Blocking REST call. */
    public void addMembers(String groupId, List<String> userIds) throws IOException {
        rest(() -> {
            session.rest.addMembers(session.api, session.login.token(), groupId, userIds);
            return null;
        });
    }

    /** Removes a member from a group (admins: members, the owner: anyone; our own id: leave). Blocking REST call. */
    public void removeMember(String groupId, String userId) throws IOException {
        rest(() -> {
            session.rest.removeMember(session.api, session.login.token(), groupId, userId);
            return null;
        });
    }

    /** Our conversations (direct and groups), most recently active first, with unread counts. Blocking REST call; needs {@link #withHistory}. */
    public List<RestClient.Conversation> conversations() throws IOException {
        return rest(() -> session.rest.conversations(session.requireHistory(), session.login.token(), 100));
    }

    /**
     * Marks {@code conv} read up to the last message this device has shown ({@link LocalState#complete}).
     * The server tells our other devices and the peer with a read event. Blocking; needs {@link #withHistory}.
     */
    public RestClient.ReadPosition markRead(String conv) throws IOException {
        return markRead(conv, session.state.complete(conv));
    }

    /** Marks {@code conv} read up to {@code seq} (read positions only move forward). */
    public RestClient.ReadPosition markRead(String conv, long seq) throws IOException {
        return rest(() -> session.rest.markRead(session.requireHistory(), session.login.token(), conv, seq));
    }

    /**
     * Syncs now: pages through {@code POST /api/v1/sync} from the stored cursor and delivers what is new to
     * the message listeners (exactly once, in seq order per conversation). Runs in the background; completes
     * with how many messages were new. Done automatically after every (re)connect and when a gap appears.
     * If a sync is running, the returned one starts after it.
     */
    public CompletableFuture<Integer> sync() {
        session.requireHistory();
        CompletableFuture<CompletableFuture<Integer>> started = new CompletableFuture<>();
        if (!runOnEvents(() -> started.complete(requestSync()))) {
            return CompletableFuture.failedFuture(new IllegalStateException("client is closed"));
        }
        return started.thenCompose(f -> f);
    }

    /** The conversation id of our direct conversation with {@code peer}: {@code d:{smaller}:{larger}}. */
    public String conversationWith(String peer) {
        return ConversationId.direct(session.user, peer).toString();
    }

    /** Whether a message was sent by this user (from any of their devices). */
    public boolean isOwn(ChatMessage message) {
        return session.isOwn(message);
    }

    /** Whether a message was sent by this very device (client id {@code user:device}). */
    public boolean isFromThisDevice(ChatMessage message) {
        return isOwn(message) && session.device.equals(message.dev());
    }

    public String user() {
        return session.user;
    }

    public String device() {
        return session.device;
    }

    public String clientId() {
        return session.login.clientId();
    }

    /** The login token (bearer token for the REST services, password for MQTT). */
    public String token() {
        return session.login.token();
    }

    public RestClient.Login loginInfo() {
        return session.login;
    }

    /** The local state: unacknowledged messages, sync cursor, complete positions (read it, do not change it). */
    public LocalState state() {
        return session.state;
    }

    /** Why the server no longer accepts this device's token ({@code null} while it does); see {@link #onLoggedOut}. */
    public String loggedOutReason() {
        return session.loggedOut;
    }

    /** Whether the MQTT connection is currently up. */
    public boolean isConnected() {
        ChatConnection c = session.connection;
        return c != null && c.isConnected();
    }

    /**
     * Disconnects and saves the state. Sends still waiting fail with an {@link IllegalStateException};
     * their messages stay in the state file and are re-sent with the same cid by the next run.
     */
    @Override
    public void close() {
        if (session.closed) {
            return;
        }
        session.closed = true;
        ChatConnection c = session.connection;
        if (c != null) {
            c.close();
        }
        session.io.shutdownNow();
        try {
            session.events.submit(() -> {
                try {
                    session.state.save();
                } catch (IOException e) {
                    status("cannot save " + session.state.file() + ": " + e.getMessage());
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        session.events.shutdownNow();
        IllegalStateException closedBeforeConfirmed = new IllegalStateException(
                "client closed before the message was confirmed; it stays queued in " + session.state.file()
                        + " and is re-sent with the same cid on the next connect");
        outbox.failAll(closedBeforeConfirmed);
    }

    /** A message arrived on {@code topic}; see {@link LiveConnection#received}. Package-private for tests. */
    void received(String topic, byte[] payload) {
        connection.received(topic, payload);
    }

    /** Event thread: asks for a sync (see {@link SyncLoop#request}). */
    private CompletableFuture<Integer> requestSync() {
        return sync.request();
    }

    private <T> T rest(ClientSession.RestCall<T> call) throws IOException {
        return session.rest(call);
    }

    private void status(String text) {
        session.status(text);
    }

    private boolean runOnEvents(Runnable task) {
        return session.runOnEvents(task);
    }
}
