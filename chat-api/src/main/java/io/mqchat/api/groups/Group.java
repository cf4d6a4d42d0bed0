package io.mqchat.api.groups;

import java.time.Instant;

/**
 * A stored group.
 *
 * @param joinPolicy    how non-members get in
 * @param membersInvite whether plain members may invite (admins always may)
 * @param history       what new members may read
 * @param mutedAll      while true only admins and the owner may speak
 */
public record Group(String groupId, String name, String description, String avatarUrl, String owner,
                    int memberCount, Instant createdAt, JoinPolicy joinPolicy, boolean membersInvite,
                    HistoryVisibility history, boolean mutedAll) {
}
