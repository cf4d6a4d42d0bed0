package io.mqchat.api.users;

import java.time.Instant;

/** A stored account: {@code users} document {@code {_id, passwordHash, createdAt}}. */
public record User(String userId, String passwordHash, Instant createdAt) {

    @Override
    public String toString() {
        return "User[" + userId + "]"; // keep the hash out of logs
    }
}
