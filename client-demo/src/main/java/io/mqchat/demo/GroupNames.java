package io.mqchat.demo;

import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Ids;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CLI's names of the groups it knows (group ids are long and made up by the server): filled from
 * {@code GET /api/v1/groups}, groups created here and {@code created} events; lets commands name a group by
 * its id or by its (unique) name. Thread-safe.
 */
final class GroupNames {

    private final Map<String, String> names = new ConcurrentHashMap<>();

    void put(String groupId, String name) {
        if (groupId != null && name != null) {
            names.put(groupId, name);
        }
    }

    void replaceAll(List<RestClient.Group> groups) {
        groups.forEach(g -> put(g.groupId(), g.name()));
    }

    /** The name of a group, {@code null} when unknown. */
    String name(String groupId) {
        return names.get(groupId);
    }

    /** A known group's name from its {@code created} event. */
    void learn(ChatMessage message) {
        if (GroupEventText.isEvent(message) && GroupEvents.CREATED.equals(GroupEventText.name(message))) {
            put(GroupEventText.groupId(message.conv()), message.body().path("name").asText(null));
        }
    }

    /**
     * The group id {@code ref} stands for: a known group id, else the one group whose name equals it (ignoring
     * case), else {@code ref} itself if it is a valid group id (a group we have not seen yet: the server decides).
     * {@code null} when it is none of these, or when several groups have that name.
     */
    String resolve(String ref) {
        String known = known(ref);
        if (known != null) {
            return known;
        }
        return ref != null && Ids.isValidGroupId(ref) && names.values().stream().noneMatch(ref::equalsIgnoreCase)
                ? ref : null;
    }

    /** The id of the known group {@code ref} names (by id, or by its name if unique), else {@code null}. */
    String known(String ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        if (names.containsKey(ref)) {
            return ref;
        }
        List<String> byName = names.entrySet().stream().filter(e -> e.getValue().equalsIgnoreCase(ref))
                .map(Map.Entry::getKey).toList();
        return byName.size() == 1 ? byName.get(0) : null;
    }

    /** {@code Team} or, when unknown, the id. */
    String label(String groupId) {
        String name = names.get(groupId);
        return name != null ? name : groupId;
    }
}
