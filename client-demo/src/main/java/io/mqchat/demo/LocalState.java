package io.mqchat.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.Topics;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a client must remember between runs to be reliable, in one small JSON file per (user, device):
 *
 * <ul>
 *   <li><b>unacked</b> — messages handed to {@code send} but not yet acknowledged by the server. They are
 *       written here <em>before</em> they are published and re-published with the same cid after every
 *       (re)connect, including after a crash or restart.</li>
 *   <li><b>syncCursor</b> — the opaque cursor of the last sync answer; the next sync (after every
 *       (re)connect) sends it back and gets exactly what this device has not had yet, in all conversations.</li>
 *   <li><b>complete</b> — per conversation, the seq this device is <em>complete up to</em>: everything at or
 *       below it was delivered to the app or is a permanent hole. Messages above it are delivered only in
 *       seq order, so a message after a gap waits (in memory) until the gap is filled or the server's
 *       {@code complete} says it is a hole.</li>
 *   <li><b>seenIds</b> — the ids of recently delivered messages. Delivery is at-least-once (broker retries,
 *       our own resends, sync overlapping live delivery), so receivers dedupe by {@code id}.</li>
 * </ul>
 *
 * <p>The messages waiting behind a gap are deliberately <em>not</em> saved: their seqs are above
 * {@code complete} and above the cursor, so after a crash the next sync returns them again.
 *
 * <p>No token or password is stored. Thread-safe; {@link #save()} replaces the file atomically so a crash
 * never leaves a half-written state.
 */
public final class LocalState {

    /** How many delivered message ids are remembered for dedupe (older duplicates are very unlikely). */
    static final int MAX_SEEN_IDS = 2_000;

    /**
     * A sent message awaiting acknowledgement: everything needed to publish it again, identically. A direct
     * message has a {@code peer} (published to {@code chat/u/{peer}}); a group message has a {@code group}
     * instead (published to {@code chat/g/{group}}) and may have {@code mentions}. Older state files have
     * neither field: they read as direct messages.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pending(String cid, String peer, String type, JsonNode body, long createdAt, String group,
                          List<String> mentions) {

        public Pending {
            mentions = mentions == null || mentions.isEmpty() ? null : List.copyOf(mentions);
        }

        /** A direct message to {@code peer}. */
        public Pending(String cid, String peer, String type, JsonNode body, long createdAt) {
            this(cid, peer, type, body, createdAt, null, null);
        }

        /** A message to group {@code group}, mentioning {@code mentions} (user ids or "all"; may be empty). */
        public static Pending toGroup(String cid, String group, String type, JsonNode body, long createdAt,
                                      List<String> mentions) {
            return new Pending(cid, null, type, body, createdAt, group, mentions);
        }

        /** Where it is published: {@code chat/g/{group}} or {@code chat/u/{peer}}. */
        public String topic() {
            return group != null ? Topics.group(group) : Topics.inbox(peer);
        }
    }

    /** The file format (version 2; version 1 had {@code lastSeq} instead of {@code complete} and no cursor). */
    record StateFile(int version, List<Pending> unacked, String syncCursor, Map<String, Long> complete,
                     Map<String, Long> lastSeq, List<String> seenIds) {
    }

    private final Path file;
    private final Map<String, Pending> unacked = new LinkedHashMap<>();
    private final Map<String, Long> complete = new TreeMap<>();
    private final LinkedHashSet<String> seenIds = new LinkedHashSet<>();
    /** Per conversation: messages received above a gap, by seq, waiting for it to close (not saved). */
    private final Map<String, TreeMap<Long, ChatMessage>> waiting = new HashMap<>();
    private String syncCursor;

    private LocalState(Path file) {
        this.file = file;
    }

    /** {@code ~/.mqchat-demo}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".mqchat-demo");
    }

    /** {@code {dir}/{user}-{device}.json}: one state per device, since each device has its own cids. */
    public static Path fileFor(Path dir, String user, String device) {
        return dir.resolve(user + "-" + device + ".json");
    }

    /** Reads the state file, or starts empty when it does not exist yet. */
    public static LocalState load(Path file) throws IOException {
        LocalState state = new LocalState(file);
        if (Files.exists(file)) {
            StateFile saved = Json.MAPPER.readValue(file.toFile(), StateFile.class);
            if (saved.unacked() != null) {
                saved.unacked().forEach(p -> state.unacked.put(p.cid(), p));
            }
            if (saved.complete() != null) {
                state.complete.putAll(saved.complete());
            } else if (saved.lastSeq() != null) {
                state.complete.putAll(saved.lastSeq());     // version 1
            }
            if (saved.seenIds() != null) {
                state.seenIds.addAll(saved.seenIds());
            }
            state.syncCursor = saved.syncCursor();
        }
        return state;
    }

    public Path file() {
        return file;
    }

    /** Writes the whole state to a temporary file and moves it over the old one. */
    public synchronized void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(),
                    new StateFile(2, List.copyOf(unacked.values()), syncCursor, complete, null, List.copyOf(seenIds)));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public synchronized void addUnacked(Pending message) {
        unacked.put(message.cid(), message);
    }

    /** @return whether the cid was still unacknowledged */
    public synchronized boolean removeUnacked(String cid) {
        return unacked.remove(cid) != null;
    }

    public synchronized Optional<Pending> unacked(String cid) {
        return Optional.ofNullable(unacked.get(cid));
    }

    /** The unacknowledged messages, oldest first (the order they are re-sent in). */
    public synchronized List<Pending> unacked() {
        return new ArrayList<>(unacked.values());
    }

    /** The cursor of the last sync answer, {@code null} before the first sync (then sync returns everything). */
    public synchronized String syncCursor() {
        return syncCursor;
    }

    public synchronized void syncCursor(String cursor) {
        this.syncCursor = cursor;
    }

    /** The seq this device is complete up to in a conversation (0 when none): the last one delivered. */
    public synchronized long complete(String conv) {
        return complete.getOrDefault(conv, 0L);
    }

    public synchronized Map<String, Long> completes() {
        return new TreeMap<>(complete);
    }

    /**
     * Takes a received message (live or from sync) and returns what can now be delivered, in seq order:
     * nothing for a duplicate (an id seen before, or a seq at or below {@code complete}); nothing yet for a
     * message after a gap (it waits, see {@link #hasGap}); else the message and any that waited behind it.
     */
    public synchronized List<ChatMessage> receive(ChatMessage message) {
        String conv = message.conv().toString();
        if (seenIds.contains(message.id()) || message.seq() <= complete(conv)) {
            return List.of();
        }
        waiting.computeIfAbsent(conv, c -> new TreeMap<>()).putIfAbsent(message.seq(), message);
        return release(conv);
    }

    /**
     * The server says this device is complete up to {@code seq} in {@code conv} (sync's {@code complete}):
     * the seqs missing up to there are permanent holes. Returns the waiting messages that can now be
     * delivered, in seq order.
     */
    /**
     * We are out of a group (sync listed it as left): nothing behind a gap will come, so everything still
     * waiting is delivered and the conversation is complete up to the last of it.
     */
    public synchronized List<ChatMessage> closeGroup(String conv) {
        TreeMap<Long, ChatMessage> queue = waiting.get(conv);
        return queue == null || queue.isEmpty() ? List.of() : completeUpTo(conv, queue.lastKey());
    }

    public synchronized List<ChatMessage> completeUpTo(String conv, long seq) {
        List<ChatMessage> released = new ArrayList<>();
        TreeMap<Long, ChatMessage> queue = waiting.get(conv);
        if (queue != null) {
            while (!queue.isEmpty() && queue.firstKey() <= seq) {
                released.add(deliver(queue.pollFirstEntry().getValue()));
            }
        }
        complete.merge(conv, seq, Math::max);
        released.addAll(release(conv));
        return released;
    }

    /** Whether a message in {@code conv} is waiting for lower seqs that have not arrived yet. */
    public synchronized boolean hasGap(String conv) {
        TreeMap<Long, ChatMessage> queue = waiting.get(conv);
        return queue != null && !queue.isEmpty();
    }

    /** Whether any conversation has a gap. */
    public synchronized boolean hasGaps() {
        return waiting.values().stream().anyMatch(q -> !q.isEmpty());
    }

    /** Delivers the waiting messages that follow {@code complete} without a gap. */
    private List<ChatMessage> release(String conv) {
        TreeMap<Long, ChatMessage> queue = waiting.get(conv);
        List<ChatMessage> released = new ArrayList<>();
        while (queue != null && !queue.isEmpty() && queue.firstKey() == complete(conv) + 1) {
            released.add(deliver(queue.pollFirstEntry().getValue()));
        }
        if (queue != null && queue.isEmpty()) {
            waiting.remove(conv);
        }
        return released;
    }

    private ChatMessage deliver(ChatMessage message) {
        complete.merge(message.conv().toString(), message.seq(), Math::max);
        seenIds.add(message.id());
        while (seenIds.size() > MAX_SEEN_IDS) {
            seenIds.remove(seenIds.iterator().next());
        }
        return message;
    }
}
