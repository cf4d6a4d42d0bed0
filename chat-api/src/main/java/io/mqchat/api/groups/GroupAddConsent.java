package io.mqchat.api.groups;

import io.mqchat.api.users.Contacts;
import io.mqchat.api.users.GroupAddPolicy;
import io.mqchat.api.users.UserSettingsStore;
import org.springframework.stereotype.Service;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whom an actor may put into a group directly, by each user's {@code groupAdds} setting: {@code everyone},
 * {@code contacts} (the actor is one of the user's contacts) or {@code nobody}. A user who asked to join this
 * group (a pending join request) has consented already. Everyone else is to be invited instead.
 */
@Service
public class GroupAddConsent {

    private final UserSettingsStore settings;
    private final Contacts contacts;
    private final PendingJoinStore pending;

    public GroupAddConsent(UserSettingsStore settings, Contacts contacts, PendingJoinStore pending) {
        this.settings = settings;
        this.contacts = contacts;
        this.pending = pending;
    }

    /** Registered, distinct users split into those added directly and those to invite (both in request order). */
    public record Split(Set<String> add, Set<String> invite) {
    }

    /** @param groupId the group, or null while it is being created (nobody can have asked to join yet) */
    public Split split(String actor, Collection<String> users, String groupId) {
        Map<String, GroupAddPolicy> policies = settings.groupAddsOf(users);
        Set<String> contactsOnly = new LinkedHashSet<>();
        policies.forEach((user, policy) -> {
            if (policy == GroupAddPolicy.CONTACTS) {
                contactsOnly.add(user);
            }
        });
        Set<String> actorIsContact = contacts.haveAsContact(contactsOnly, actor);
        Set<String> asked = groupId == null ? Set.of() : pending.joinRequestersAmong(groupId, users);
        Set<String> add = new LinkedHashSet<>();
        Set<String> invite = new LinkedHashSet<>();
        for (String user : users) {
            // a user whose setting cannot be read (not registered) is never added directly
            GroupAddPolicy policy = policies.getOrDefault(user, GroupAddPolicy.NOBODY);
            boolean admitted = asked.contains(user) || policy == GroupAddPolicy.EVERYONE
                    || (policy == GroupAddPolicy.CONTACTS && actorIsContact.contains(user));
            (admitted ? add : invite).add(user);
        }
        return new Split(add, invite);
    }
}
