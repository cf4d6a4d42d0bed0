package io.mqchat.api.users;

import java.util.Arrays;
import java.util.Optional;

/**
 * A user's {@code groupAdds} setting: whom they let add them to a group directly. Anyone else who tries
 * invites them instead (the user accepts or declines). Stored in the user's document; absent = {@link #DEFAULT}.
 */
public enum GroupAddPolicy {
    /** Anyone may add them (the default, as the big messengers have it). */
    EVERYONE("everyone"),
    /** Only their contacts ({@link Contacts}, written by {@code io.mqchat.api.contacts}). */
    CONTACTS("contacts"),
    /** Nobody: every addition becomes an invitation. */
    NOBODY("nobody");

    public static final GroupAddPolicy DEFAULT = EVERYONE;

    private final String wire;

    GroupAddPolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Exact, lower-case wire names only. */
    public static Optional<GroupAddPolicy> parse(String text) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(text)).findFirst();
    }
}
