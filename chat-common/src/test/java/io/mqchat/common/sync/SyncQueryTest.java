package io.mqchat.common.sync;

import io.mqchat.common.protocol.PageSize;
import io.mqchat.common.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one parser of sync requests both transports use. */
class SyncQueryTest {

    private static final PageSize LIMITS = new PageSize(100, 200);

    private static SyncQuery parse(String json, Set<String> own) throws Exception {
        return SyncQuery.parse(Json.MAPPER.readTree(json), own, "alice", LIMITS);
    }

    @Test
    void positionsAndLimitAreRead() throws Exception {
        SyncQuery q = parse("{\"op\":\"sync\",\"conversations\":{\"d:alice:bob\":12},\"limit\":5000}", Set.of("op"));
        assertThat(q.state().positions()).containsExactlyEntriesOf(Map.of("d:alice:bob", 12L));
        assertThat(q.state().recalls()).isNull();
        assertThat(q.limit()).isEqualTo(200);
        assertThat(parse("{}", Set.of()).limit()).isEqualTo(100);
        assertThat(SyncQuery.of(null, " 7 ", "alice", LIMITS).limit()).isEqualTo(7);
    }

    @Test
    void aCursorOfAnEarlierAnswerRoundTrips() throws Exception {
        String cursor = SyncCursor.encode(Map.of("d:alice:bob", 4L), null);
        assertThat(parse("{\"cursor\":\"" + cursor + "\"}", Set.of()).state().positions())
                .containsExactlyEntriesOf(Map.of("d:alice:bob", 4L));
        assertThat(SyncQuery.of(cursor, null, "alice", LIMITS).state().positions()).containsEntry("d:alice:bob", 4L);
    }

    @Test
    void everyRefusalSaysWhatIsWrong() {
        assertRefused("{\"op\":\"sync\"}", Set.of(), "unknown field 'op'; expected conversations, cursor, limit");
        assertRefused("{\"x" + "y".repeat(100) + "\":1}", Set.of("rid"), "unknown field 'x" + "y".repeat(31)
                + "'; expected conversations, cursor, limit, rid");
        assertRefused("{\"cursor\":\"a\",\"conversations\":{}}", Set.of(), "give either cursor or conversations, not both");
        assertRefused("{\"cursor\":1}", Set.of(), "cursor must be the string of an earlier answer");
        assertRefused("{\"cursor\":\"garbage\"}", Set.of(), "cursor must be the cursor of an earlier answer");
        assertRefused("{\"limit\":0}", Set.of(), "limit must be a positive integer (at most 200 are returned)");
        assertRefused("{\"limit\":1.5}", Set.of(), "limit must be a positive integer (at most 200 are returned)");
        assertRefused("{\"limit\":\"9\"}", Set.of(), "limit must be a positive integer (at most 200 are returned)");
        assertThatThrownBy(() -> parse("{\"conversations\":{\"d:bob:carol\":1}}", Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("{\"conversations\":{\"$where\":1}}", Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncQuery.of(null, "x", "alice", LIMITS)).hasMessage("limit must be an integer");
        assertThatThrownBy(() -> SyncQuery.of(null, "-3", "alice", LIMITS))
                .hasMessage("limit must be a positive integer (at most 200 are returned)");
    }

    private static void assertRefused(String json, Set<String> own, String message) {
        assertThatThrownBy(() -> parse(json, own)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
