package io.mqchat.demo;

import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ConversationId;
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
        return new ChatMessage(id, ConversationId.of(conv), seq, "bob", "alice", 1_700_000_000_000L, "phone", "phone-" + id, "text",
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
    @Test
    void aGroupMessageIsSavedWithItsGroupAndMentionsAndGoesToTheGroupTopic() throws Exception {
        Path file = dir.resolve("alice-phone.json");
        LocalState state = LocalState.load(file);
        LocalState.Pending toGroup = LocalState.Pending.toGroup("phone-g1", "team1", "text", TextNode.valueOf("hi @bob"),
                42L, List.of("bob"));
        state.addUnacked(pending("phone-d1", "bob"));
        state.addUnacked(toGroup);
        state.save();
        // direct messages are written as before (no group fields)
        assertThat(Files.readString(file)).doesNotContain("\"mentions\" : null").doesNotContain("\"group\" : null");

        LocalState reloaded = LocalState.load(file);
        assertThat(reloaded.unacked()).containsExactly(pending("phone-d1", "bob"), toGroup);
        assertThat(reloaded.unacked().get(0).topic()).isEqualTo("chat/u/bob");
        assertThat(reloaded.unacked().get(1).topic()).isEqualTo("chat/g/team1");
        assertThat(reloaded.unacked().get(1).mentions()).containsExactly("bob");
        assertThat(LocalState.Pending.toGroup("c", "team1", "text", TextNode.valueOf("x"), 1, List.of()).mentions())
                .isNull();
    }

    @Test
    void unackedMessagesOfAnOlderFileAreDirectMessages() throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{\"version\":2,\"unacked\":[{\"cid\":\"phone-1\",\"peer\":\"bob\",\"type\":\"text\","
                + "\"body\":\"hi\",\"createdAt\":5}],\"complete\":{}}");
        LocalState.Pending p = LocalState.load(file).unacked().get(0);
        assertThat(p.group()).isNull();
        assertThat(p.mentions()).isNull();
        assertThat(p.topic()).isEqualTo("chat/u/bob");
    }

    @Test
    void groupConversationsAreOrderedAndDedupedOnTheirOwn() throws Exception {
        LocalState state = LocalState.load(dir.resolve("s.json"));
        assertThat(seqs(state.receive(message("g1", "g:team1", 1)))).containsExactly(1L);
        assertThat(seqs(state.receive(message("d1", "d:alice:bob", 1)))).containsExactly(1L);
        assertThat(state.receive(message("g3", "g:team1", 3))).isEmpty();           // waits for seq 2
        assertThat(state.hasGap("g:team1")).isTrue();
        assertThat(state.hasGap("d:alice:bob")).isFalse();
        assertThat(seqs(state.receive(message("d2", "d:alice:bob", 2)))).containsExactly(2L);
        assertThat(seqs(state.receive(message("g2", "g:team1", 2)))).containsExactly(2L, 3L);
        assertThat(state.receive(message("g2", "g:team1", 2))).isEmpty();            // the copy from sync
        assertThat(state.completes()).containsEntry("g:team1", 3L).containsEntry("d:alice:bob", 2L);
    }

    @Test
    void joiningAGroupLateWaitsForSyncToSayWhereWeStart() throws Exception {
        // bob is added at seq 41: the first live message is 41, and seqs 1-40 are not his to read
        LocalState state = LocalState.load(dir.resolve("s.json"));
        assertThat(state.receive(message("g41", "g:team1", 41))).isEmpty();
        assertThat(state.hasGap("g:team1")).isTrue();                                 // -> the client syncs
        assertThat(seqs(state.receive(message("g41", "g:team1", 41)))).isEmpty();     // sync returns it again
        assertThat(seqs(state.completeUpTo("g:team1", 41))).containsExactly(41L);    // sync: complete up to 41
        assertThat(seqs(state.receive(message("g42", "g:team1", 42)))).containsExactly(42L);
    }

    @Test
    void theLastEventOfAGroupWeLeftClosesItsGap() throws Exception {
        // removed at seq 9 while seq 8 was still missing: sync no longer covers the group, so the client
        // delivers up to the removal at once (ChatClient does this for a membership-ending event)
        LocalState state = LocalState.load(dir.resolve("s.json"));
        state.receive(message("g7", "g:team1", 7));
        state.completeUpTo("g:team1", 7);
        assertThat(state.receive(message("g9", "g:team1", 9))).isEmpty();
        assertThat(seqs(state.completeUpTo("g:team1", 9))).containsExactly(9L);
        assertThat(state.hasGaps()).isFalse();
    }

    @Test
    void closingALeftGroupReleasesWhatWaitsBehindAGapAndKeepsLaterSeqsNew() throws Exception {
        LocalState state = LocalState.load(dir.resolve("alice-phone.json"));
        assertThat(seqs(state.receive(message("g1", "g:crew", 1)))).containsExactly(1L);
        assertThat(state.receive(message("g3", "g:crew", 3))).as("waits for seq 2").isEmpty();
        assertThat(state.receive(message("g4", "g:crew", 4))).isEmpty();
        assertThat(seqs(state.closeGroup("g:crew"))).containsExactly(3L, 4L);
        assertThat(state.complete("g:crew")).isEqualTo(4);
        assertThat(state.closeGroup("g:crew")).isEmpty();
        // back in the group later: newer messages are still delivered
        assertThat(seqs(state.receive(message("g9", "g:crew", 9)))).isEmpty();
        assertThat(seqs(state.completeUpTo("g:crew", 8))).containsExactly(9L);
    }
}
