package io.mqchat.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        assertThat(state.completes()).isEmpty();
        assertThat(state.complete("d:alice:bob")).isZero();
        assertThat(state.syncCursor()).isNull();
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    @Test
    void saveAndLoadRoundTripsEverything() throws Exception {
        Path file = LocalState.fileFor(dir.resolve("nested/dir"), "alice", "phone");
        LocalState state = LocalState.load(file);
        state.addUnacked(pending("phone-1", "bob"));
        state.addUnacked(pending("phone-2", "carol"));
        state.receive(message("m1", "d:alice:bob", 1));
        state.completeUpTo("d:alice:carol", 3);
        state.syncCursor("Y3Vyc29y");
        state.save();

        LocalState reloaded = LocalState.load(file);
        assertThat(reloaded.unacked()).containsExactly(pending("phone-1", "bob"), pending("phone-2", "carol"));
        assertThat(reloaded.complete("d:alice:bob")).isEqualTo(1);
        assertThat(reloaded.complete("d:alice:carol")).isEqualTo(3);
        assertThat(reloaded.syncCursor()).isEqualTo("Y3Vyc29y");
        // seen ids survive too: a redelivery after restart is still recognised as a duplicate
        assertThat(reloaded.receive(message("m1", "d:alice:bob", 1))).isEmpty();
        // no temporary files are left behind
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aVersion1FileIsReadWithItsLastSeqsAsCompletePositions() throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{\"version\":1,\"unacked\":[],\"lastSeq\":{\"d:alice:bob\":7},\"seenIds\":[\"x\"]}");
        LocalState state = LocalState.load(file);
        assertThat(state.complete("d:alice:bob")).isEqualTo(7);
        assertThat(state.syncCursor()).isNull();
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
    void messagesInOrderAreDeliveredAtOnceAndDuplicatesDropped() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        assertThat(seqs(state.receive(message("a", "d:alice:bob", 1)))).containsExactly(1L);
        assertThat(seqs(state.receive(message("b", "d:alice:bob", 2)))).containsExactly(2L);
        assertThat(state.receive(message("b", "d:alice:bob", 2))).isEmpty();        // same id
        assertThat(state.receive(message("a-copy", "d:alice:bob", 1))).isEmpty();   // at or below complete
        assertThat(state.complete("d:alice:bob")).isEqualTo(2);
        assertThat(state.hasGaps()).isFalse();
    }

    @Test
    void aMessageAfterAGapWaitsUntilTheGapIsFilledThenAllComeInSeqOrder() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        state.receive(message("m1", "d:alice:bob", 1));
        assertThat(state.receive(message("m4", "d:alice:bob", 4))).isEmpty();
        assertThat(state.receive(message("m3", "d:alice:bob", 3))).isEmpty();
        assertThat(state.hasGap("d:alice:bob")).isTrue();
        assertThat(state.hasGap("d:alice:carol")).isFalse();
        assertThat(state.complete("d:alice:bob")).isEqualTo(1);
        assertThat(state.receive(message("m4", "d:alice:bob", 4))).isEmpty();        // waiting already

        // seq 2 arrives (from sync or late live delivery): 2, 3, 4 in order
        assertThat(seqs(state.receive(message("m2", "d:alice:bob", 2)))).containsExactly(2L, 3L, 4L);
        assertThat(state.hasGaps()).isFalse();
        assertThat(state.complete("d:alice:bob")).isEqualTo(4);
    }

    @Test
    void theServersCompletePositionSkipsPermanentHolesAndNeverMovesBack() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        state.receive(message("m1", "d:alice:bob", 1));
        state.receive(message("m3", "d:alice:bob", 3));     // seq 2 is a hole
        state.receive(message("m5", "d:alice:bob", 5));     // seq 4 not known yet
        assertThat(state.completeUpTo("d:alice:bob", 1)).isEmpty();                 // "young gap": nothing yet
        assertThat(seqs(state.completeUpTo("d:alice:bob", 3))).containsExactly(3L); // 2 is a hole
        assertThat(state.hasGap("d:alice:bob")).isTrue();                           // still missing 4
        assertThat(seqs(state.completeUpTo("d:alice:bob", 5))).containsExactly(5L);
        assertThat(state.hasGaps()).isFalse();
        state.completeUpTo("d:alice:bob", 2);
        assertThat(state.complete("d:alice:bob")).isEqualTo(5);
        // a new device: the server says we are complete up to 57, the next live message follows at once
        assertThat(seqs(state.completeUpTo("d:alice:carol", 57))).isEmpty();
        assertThat(seqs(state.receive(message("c58", "d:alice:carol", 58)))).containsExactly(58L);
    }

    @Test
    void waitingMessagesAreNotSavedSoTheNextSyncReturnsThemAgain() throws Exception {
        Path file = dir.resolve("s.json");
        LocalState state = LocalState.load(file);
        state.receive(message("m1", "d:alice:bob", 1));
        state.receive(message("m3", "d:alice:bob", 3));
        state.save();
        LocalState reloaded = LocalState.load(file);
        assertThat(reloaded.complete("d:alice:bob")).isEqualTo(1);
        assertThat(reloaded.hasGaps()).isFalse();
        assertThat(seqs(reloaded.receive(message("m2", "d:alice:bob", 2)))).containsExactly(2L);
        assertThat(seqs(reloaded.receive(message("m3", "d:alice:bob", 3)))).containsExactly(3L);
    }

    @Test
    void remembersABoundedNumberOfIdsAndStillDropsOldDuplicatesBySeq() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        for (int i = 0; i <= LocalState.MAX_SEEN_IDS; i++) {
            assertThat(state.receive(message("id-" + i, "d:alice:bob", i + 1))).hasSize(1);
        }
        state.save();
        assertThat(Files.readString(dir.resolve("s.json"))).doesNotContain("\"id-0\"").contains("\"id-1\"");
        // id-0 was evicted, but its seq is at or below complete: still a duplicate
        assertThat(state.receive(message("id-0", "d:alice:bob", 1))).isEmpty();
    }
}
