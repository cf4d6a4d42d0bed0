package io.mqchat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Json;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
 *   <li><b>lastSeq</b> — the highest seq seen per conversation, so the client can ask history for exactly
 *       what it missed ({@code afterSeq=lastSeq}).</li>
 *   <li><b>seenIds</b> — the ids of recently received messages. Delivery is at-least-once (broker retries,
 *       our own resends, history catch-up overlapping live delivery), so receivers dedupe by {@code id}.</li>
 * </ul>
 *
 * <p>No token or password is stored. Thread-safe; {@link #save()} replaces the file atomically so a crash
 * never leaves a half-written state.
 */
public final class LocalState {

    /** How many received message ids are remembered for dedupe (older duplicates are very unlikely). */
    static final int MAX_SEEN_IDS = 2_000;

    /** A sent message awaiting acknowledgement: everything needed to publish it again, identically. */
    public record Pending(String cid, String peer, String type, JsonNode body, long createdAt) {
    }

    /** The file format. */
    record StateFile(int version, List<Pending> unacked, Map<String, Long> lastSeq, List<String> seenIds) {
    }

    private final Path file;
    private final Map<String, Pending> unacked = new LinkedHashMap<>();
    private final Map<String, Long> lastSeq = new TreeMap<>();
    private final LinkedHashSet<String> seenIds = new LinkedHashSet<>();

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
            if (saved.lastSeq() != null) {
                state.lastSeq.putAll(saved.lastSeq());
            }
            if (saved.seenIds() != null) {
                state.seenIds.addAll(saved.seenIds());
            }
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
                    new StateFile(1, List.copyOf(unacked.values()), lastSeq, List.copyOf(seenIds)));
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

    /** The highest seq seen in a conversation, 0 when none. */
    public synchronized long lastSeq(String conv) {
        return lastSeq.getOrDefault(conv, 0L);
    }

    public synchronized Map<String, Long> lastSeqs() {
        return new TreeMap<>(lastSeq);
    }

    /**
     * Records a received message. Returns false for a duplicate (same {@code id} seen before), which the
     * caller then drops; otherwise remembers the id and advances the conversation's last seq.
     */
    public synchronized boolean accept(ChatMessage message) {
        if (!seenIds.add(message.id())) {
            return false;
        }
        while (seenIds.size() > MAX_SEEN_IDS) {
            String oldest = seenIds.iterator().next();
            seenIds.remove(oldest);
        }
        lastSeq.merge(message.conv(), message.seq(), Math::max);
        return true;
    }
}
