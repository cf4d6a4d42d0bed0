package io.mqchat.api.groups;

import java.util.Optional;

/** How users who are not members get in (group setting {@code joinPolicy}). */
public enum JoinPolicy {
    /** No join requests: members are added by admins or accept an invitation. */
    CLOSED("closed"),
    /** Users request to join and an admin approves (the default). */
    APPROVAL("approval"),
    /** Anyone joins at once. */
    OPEN("open");

    public static final JoinPolicy DEFAULT = APPROVAL;

    private final String wire;

    JoinPolicy(String wire) {
        this.wire = wire;
    }

    /** The stored and JSON form. */
    public String wire() {
        return wire;
    }

    public static Optional<JoinPolicy> parse(String text) {
        for (JoinPolicy policy : values()) {
            if (policy.wire.equals(text)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
