package io.mqchat.common.groups;

import org.jspecify.annotations.Nullable;

import java.time.Instant;

/**
 * A stored membership, as chat-api writes it and every component reads it ({@link GroupDirectory}).
 *
 * @param joinedAt   when the member joined; null if not stored
 * @param fromSeq    the first seq of the group conversation this member may read (1: everything)
 * @param mutedUntil until when the member may not speak; null when never muted (may be in the past)
 */
public record GroupMember(String groupId, String userId, GroupRole role, @Nullable Instant joinedAt, long fromSeq,
                          @Nullable Instant mutedUntil) {

    /** Owner or admin: may speak in a muted group, mention all and moderate. */
    public boolean isAdmin() {
        return role.canManageMembers();
    }

    /** Muted at {@code now}. */
    public boolean mutedAt(Instant now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }

    /** The same membership muted until {@code until} (null: not muted). */
    public GroupMember withMutedUntil(@Nullable Instant until) {
        return new GroupMember(groupId, userId, role, joinedAt, fromSeq, until);
    }

    /** The same membership with another role. */
    public GroupMember withRole(GroupRole newRole) {
        return new GroupMember(groupId, userId, newRole, joinedAt, fromSeq, mutedUntil);
    }
}
