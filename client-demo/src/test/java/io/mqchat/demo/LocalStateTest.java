package io.mqchat.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalStateTest {

    @TempDir
    Path dir;

    private static ChatMessage message(String id, String conv, long seq) {
        return new ChatMessage(id, conv, seq, "bob", "alice", 1_700_000_000_000L, "phone", "phone-" + id, "text",
                TextNode.valueOf("hi " + seq));
    }

    private static LocalState.Pending pending(String cid, String peer) {
        return new LocalState.Pending(cid, peer, "text", TextNode.valueOf("hello " + cid), 42L);
    }

    @Test
    void fileIsPerUserAndDevice() {
        assertThat(LocalState.fileFor(dir, "alice", "phone")).isEqualTo(dir.resolve("alice-phone.json"));
        assertThat(LocalState.fileFor(dir, "alice", "phone")).isNotEqualTo(LocalState.fileFor(dir, "alice", "desktop"));
    }

    @Test
    void missingFileStartsEmpty() throws Exception {
        LocalState state = LocalState.load(dir.resolve("nobody-phone.json"));
        assertThat(state.unacked()).isEmpty();
        assertThat(state.lastSeqs()).isEmpty();
        assertThat(state.lastSeq("d:alice:bob")).isZero();
    }

    @Test
    void saveAndLoadRoundTripsEverything() throws Exception {
        Path file = LocalState.fileFor(dir.resolve("nested/dir"), "alice", "phone");
        LocalState state = LocalState.load(file);
        state.addUnacked(pending("phone-1", "bob"));
        state.addUnacked(pending("phone-2", "carol"));
        state.accept(message("m1", "d:alice:bob", 7));
        state.accept(message("m2", "d:alice:carol", 3));
        state.save();

        LocalState reloaded = LocalState.load(file);
        assertThat(reloaded.unacked()).containsExactly(pending("phone-1", "bob"), pending("phone-2", "carol"));
        assertThat(reloaded.lastSeq("d:alice:bob")).isEqualTo(7);
        assertThat(reloaded.lastSeq("d:alice:carol")).isEqualTo(3);
        // seen ids survive too: a redelivery after restart is still recognised as a duplicate
        assertThat(reloaded.accept(message("m1", "d:alice:bob", 7))).isFalse();
        // no temporary files are left behind
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void unackedQueueSurvivesRestartUntilAcknowledged() throws Exception {
        Path file = dir.resolve("alice-phone.json");
        LocalState first = LocalState.load(file);
        first.addUnacked(pending("phone-a", "bob"));
        first.addUnacked(pending("phone-b", "bob"));
        first.addUnacked(pending("phone-c", "bob"));
        first.save();
        // "crash": the first instance is simply dropped

        LocalState second = LocalState.load(file);
        assertThat(second.unacked()).extracting(LocalState.Pending::cid)
                .containsExactly("phone-a", "phone-b", "phone-c");   // re-sent oldest first, same cids
        assertThat(second.unacked("phone-b")).contains(pending("phone-b", "bob"));
        assertThat(second.removeUnacked("phone-b")).isTrue();
        assertThat(second.removeUnacked("phone-b")).isFalse();
        second.save();

        assertThat(LocalState.load(file).unacked()).extracting(LocalState.Pending::cid)
                .containsExactly("phone-a", "phone-c");
    }

    @Test
    void lastSeqOnlyMovesForward() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        state.accept(message("a", "d:alice:bob", 5));
        state.accept(message("b", "d:alice:bob", 3));   // a late, older message (e.g. from history)
        assertThat(state.lastSeq("d:alice:bob")).isEqualTo(5);
        state.accept(message("c", "d:alice:bob", 9));
        assertThat(state.lastSeq("d:alice:bob")).isEqualTo(9);
        assertThat(state.lastSeq("d:alice:carol")).isZero();
    }

    @Test
    void dedupesById() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        assertThat(state.accept(message("x", "d:alice:bob", 1))).isTrue();
        assertThat(state.accept(message("x", "d:alice:bob", 1))).isFalse();
        assertThat(state.accept(message("y", "d:alice:bob", 2))).isTrue();
    }

    @Test
    void remembersABoundedNumberOfIds() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        for (int i = 0; i <= LocalState.MAX_SEEN_IDS; i++) {
            assertThat(state.accept(message("id-" + i, "d:alice:bob", i + 1))).isTrue();
        }
        // the oldest id was evicted, the newest are still known
        assertThat(state.accept(message("id-" + LocalState.MAX_SEEN_IDS, "d:alice:bob", 1))).isFalse();
        assertThat(state.accept(message("id-0", "d:alice:bob", 1))).isTrue();
    }
}
