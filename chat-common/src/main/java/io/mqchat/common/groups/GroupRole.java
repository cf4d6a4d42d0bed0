package io.mqchat.common.groups;

import java.util.Locale;
import java.util.Optional;

/** A member's role. There is exactly one owner; admins manage members; members chat. */
public enum GroupRole {
    OWNER, ADMIN, MEMBER;

    /** The stored and JSON form: {@code owner}, {@code admin}, {@code member}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<GroupRole> parse(String text) {
        for (GroupRole role : values()) {
            if (role.wire().equals(text)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** Owner or admin. */
    public boolean canManageMembers() {
        return this != MEMBER;
    }
}
