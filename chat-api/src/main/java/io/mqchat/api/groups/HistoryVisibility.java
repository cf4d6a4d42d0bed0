package io.mqchat.api.groups;

import java.util.Optional;

/**
 * What a new member may read of the group conversation (group setting {@code history}): stored per member
 * as {@code fromSeq} when they join, so changing the setting later does not change existing members.
 */
public enum HistoryVisibility {
    /** From the event announcing the member on (the default). */
    SINCE_JOIN("since-join"),
    /** Everything the group ever said (that retention kept). */
    ALL("all");

    public static final HistoryVisibility DEFAULT = SINCE_JOIN;

    private final String wire;

    HistoryVisibility(String wire) {
        this.wire = wire;
    }

    /** The stored and JSON form. */
    public String wire() {
        return wire;
    }

    /** The first readable seq of a member who joins with the event at {@code joinSeq}. */
    public long fromSeq(long joinSeq) {
        return this == ALL ? 1 : joinSeq;
    }

    public static Optional<HistoryVisibility> parse(String text) {
        for (HistoryVisibility h : values()) {
            if (h.wire.equals(text)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
