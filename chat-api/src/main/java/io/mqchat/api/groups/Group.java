package io.mqchat.api.groups;

import java.time.Instant;

/** A stored group. */
public record Group(String groupId, String name, String description, String avatarUrl, String owner,
                    int memberCount, Instant createdAt) {
}
