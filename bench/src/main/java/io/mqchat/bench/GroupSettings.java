package io.mqchat.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the group fan-out scenario.
 *
 * @param members         members of the one group, every one connected with one device
 * @param senders         of them, how many publish (the first ones); they receive the group's messages too
 * @param invalidateEvery mqchat only: every this many publishes, tell the broker over its bus that the group's
 *                        membership changed (it forgets its cached membership, so the next check is a miss);
 *                        0 never
 */
public record GroupSettings(int members, int senders, int invalidateEvery) {

    public static final int MAX_MEMBERS = 5_000;

    public static GroupSettings defaults() {
        return new GroupSettings(1_000, 4, 0);
    }

    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (members < 2 || members > MAX_MEMBERS) {
            p.add("--members must be between 2 and " + MAX_MEMBERS + ", was " + members);
        }
        if (senders < 1 || senders > Math.min(members, 100)) {
            p.add("--senders must be between 1 and min(--members, 100), was " + senders);
        }
        if (invalidateEvery < 0) {
            p.add("--invalidate-every must not be negative, was " + invalidateEvery);
        }
        return p;
    }

    String describe() {
        return "group of " + members + " members (all connected), " + senders + " senders"
                + (invalidateEvery > 0 ? ", membership cache invalidated every " + invalidateEvery + " publishes" : "");
    }
}
