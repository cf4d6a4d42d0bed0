package io.mqchat.api.groups;

import java.time.Instant;

/** A stored membership. */
public record GroupMember(String groupId, String userId, GroupRole role, Instant joinedAt) {
}
