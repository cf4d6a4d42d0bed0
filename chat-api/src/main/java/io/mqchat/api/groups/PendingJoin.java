package io.mqchat.api.groups;

import java.time.Instant;

/**
 * A pending invitation or join request of {@code userId} to {@code groupId}.
 *
 * @param by who invited (invitations; the requester itself for join requests)
 */
public record PendingJoin(String groupId, String userId, String by, Instant createdAt) {
}
