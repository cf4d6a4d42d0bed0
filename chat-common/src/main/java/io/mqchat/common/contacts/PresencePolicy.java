package io.mqchat.common.contacts;

import java.util.Arrays;
import java.util.Optional;

/**
 * A user's {@code presence} setting ({@code users.presence}): who may see whether they are online. Absent =
 * {@link #DEFAULT}; a stored value this version does not know reads as {@link #NOBODY}. The user always sees
 * their own presence; a blocked user never sees the blocker's.
 */
public enum PresencePolicy {
    /** What presence always did: users they exchanged direct messages with (both wrote) or share a group with. */
    TALKED("talked"),
    /** Only their contacts. */
    CONTACTS("contacts"),
    /** Nobody but themselves. */
    NOBODY("nobody");

    public static final PresencePolicy DEFAULT = TALKED;

    private final String wire;

    PresencePolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Exact, lower-case wire names only. */
    public static Optional<PresencePolicy> parse(String text) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(text)).findFirst();
    }

    /** A stored value: absent is the default, anything unknown the narrowest choice. */
    public static PresencePolicy ofStored(Object value) {
        if (value == null) {
            return DEFAULT;
        }
        return value instanceof String s ? parse(s).orElse(NOBODY) : NOBODY;
    }
}
