package io.mqchat.api.groups;

import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.Ids;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

/** Roles and ownership: the owner makes members admins (or not) and hands the group to another member. */
@Service
public class GroupRoles {

    private final GroupService groups;
    private final GroupStore store;
    private final GroupAnnouncer announcer;

    public GroupRoles(GroupService groups, GroupStore store, GroupAnnouncer announcer) {
        this.groups = groups;
        this.store = store;
        this.announcer = announcer;
    }

    public GroupMember setRole(String groupId, String caller, String userId, String roleText) {
        GroupService.requireOwner(groups.view(groupId, caller), "change roles");
        GroupRole role = GroupRole.parse(roleText).filter(r -> r != GroupRole.OWNER)
                .orElseThrow(() -> ApiException.badRequest("role must be 'admin' or 'member' "
                        + "(ownership moves with POST .../owner)."));
        GroupMember target = groups.findTarget(groupId, userId);
        if (target.role() == GroupRole.OWNER) {
            throw ApiException.conflict("The owner's role cannot be changed; transfer ownership instead.");
        }
        if (target.role() != role && store.setRole(groupId, userId, role)) {
            announcer.announce(groupId, caller, GroupEvents.roleChanged(userId, role.wire()));
        }
        return target.withRole(role);
    }

    /**
     * Makes another member the owner; the previous owner becomes an admin ({@code owner_changed} says both).
     * The owner cannot be muted, so a mute of the new owner is lifted ({@code member_unmuted}).
     */
    public GroupService.Membership transferOwnership(String groupId, String caller, String userId) {
        GroupService.requireOwner(groups.view(groupId, caller), "transfer ownership");
        if (userId == null || !Ids.isValidUserId(userId)) {
            throw ApiException.badRequest("userId must be a member's user id.");
        }
        if (userId.equals(caller)) {
            throw ApiException.badRequest("You already own this group.");
        }
        GroupMember next = store.findMember(groupId, userId)
                .orElseThrow(() -> ApiException.badRequest("The new owner must be a member of the group."));
        store.setRole(groupId, userId, GroupRole.OWNER);
        store.setOwner(groupId, userId);
        store.setRole(groupId, caller, GroupRole.ADMIN);
        if (next.mutedUntil() != null) {
            store.setMutedUntil(groupId, userId, null);
        }
        announcer.announce(groupId, caller, GroupEvents.ownerChanged(userId));
        if (next.mutedAt(GroupService.now())) {
            announcer.announce(groupId, caller, GroupEvents.memberUnmuted(userId));
        }
        return groups.view(groupId, caller);
    }
}
