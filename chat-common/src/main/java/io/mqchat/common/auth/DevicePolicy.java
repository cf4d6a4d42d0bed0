package io.mqchat.common.auth;

import io.mqchat.common.protocol.Ids;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a user's logged-in devices a new login replaces.
 *
 * <ul>
 *   <li>{@code per-type} (default): one device per device type; a new phone login replaces the old phone,
 *       a desktop stays.</li>
 *   <li>{@code single}: one device in total.</li>
 *   <li>{@code per-type,phone+tablet}: per type, and phone and tablet also replace each other (any number
 *       of {@code +}-joined groups).</li>
 * </ul>
 */
public final class DevicePolicy {

    private final boolean single;
    private final List<Set<String>> exclusiveGroups;

    private DevicePolicy(boolean single, List<Set<String>> exclusiveGroups) {
        this.single = single;
        this.exclusiveGroups = exclusiveGroups;
    }

    public static DevicePolicy perType() {
        return new DevicePolicy(false, List.of());
    }

    /** Parses the setting; throws {@link IllegalArgumentException} saying what is wrong. */
    public static DevicePolicy parse(String text) {
        if (text == null || text.isBlank() || text.strip().equals("per-type")) {
            return perType();
        }
        if (text.strip().equals("single")) {
            return new DevicePolicy(true, List.of());
        }
        List<Set<String>> groups = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.equals("per-type")) {
                continue;
            }
            Set<String> group = new TreeSet<>();
            for (String type : p.split("\\+")) {
                if (!Ids.isValidDeviceType(type.strip())) {
                    throw new IllegalArgumentException("device policy '" + text + "': '" + type.strip()
                            + "' is not a device type; use per-type, single, or groups like per-type,phone+tablet");
                }
                group.add(type.strip());
            }
            if (group.size() < 2) {
                throw new IllegalArgumentException("device policy '" + text + "': a group needs two or more types "
                        + "joined by '+', e.g. phone+tablet");
            }
            groups.add(Set.copyOf(group));
        }
        return new DevicePolicy(false, List.copyOf(groups));
    }

    /** The device types that must be logged out when {@code newType} logs in, given those logged in now. */
    public Set<String> replacedBy(String newType, Set<String> loggedIn) {
        Set<String> out = new HashSet<>();
        for (String type : loggedIn) {
            if (type.equals(newType) || single) {
                out.add(type);
                continue;
            }
            for (Set<String> group : exclusiveGroups) {
                if (group.contains(newType) && group.contains(type)) {
                    out.add(type);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        if (single) {
            return "single";
        }
        StringBuilder sb = new StringBuilder("per-type");
        exclusiveGroups.forEach(g -> sb.append(',').append(String.join("+", new TreeSet<>(g))));
        return sb.toString();
    }
}
