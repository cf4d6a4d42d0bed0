package io.mqchat.common.contacts;

import java.util.Arrays;
import java.util.Optional;

/**
 * A user's {@code directMessages} setting ({@code users.directMessages}): who may send them direct messages.
 * Absent = {@link #DEFAULT}; a stored value this version does not know reads as {@link #CONTACTS}, the narrower one.
 * Blocks apply whatever the setting.
 */
public enum DirectMessagePolicy {
    /** Anyone who has not been blocked (the default). */
    EVERYONE("everyone"),
    /** Only the user's contacts. */
    CONTACTS("contacts");

    public static final DirectMessagePolicy DEFAULT = EVERYONE;

    private final String wire;

    DirectMessagePolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Exact, lower-case wire names only. */
    public static Optional<DirectMessagePolicy> parse(String text) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(text)).findFirst();
    }

    /** A stored value: absent is the default, anything unknown the narrowest choice. */
    public static DirectMessagePolicy ofStored(Object value) {
        if (value == null) {
            return DEFAULT;
        }
        return value instanceof String s ? parse(s).orElse(CONTACTS) : CONTACTS;
    }
}
