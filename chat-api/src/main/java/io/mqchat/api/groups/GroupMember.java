package io.mqchat.api.groups;

import java.time.Instant;

/**
 * A stored membership.
 *
 * @param fromSeq    the first seq of the group conversation this member may read (1: everything)
 * @param mutedUntil until when the member may not speak; null when never muted (may be in the past)
 */
public record GroupMember(String groupId, String userId, GroupRole role, Instant joinedAt, long fromSeq,
                          Instant mutedUntil) {

    /** Muted at {@code now}. */
    public boolean mutedAt(Instant now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }
}
