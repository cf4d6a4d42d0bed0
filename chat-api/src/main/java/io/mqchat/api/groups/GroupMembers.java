package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who is in a group: managers add members (or invite those whose {@code groupAdds} setting does not admit
 * them), members are listed, removed or leave, and a deleted account leaves every group for good.
 */
@Service
public class GroupMembers {

    private final GroupService groups;
    private final GroupRoles roles;
    private final GroupAdmission admission;
    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupAnnouncer announcer;
    private final GroupAddConsent consent;
    private final GroupRateLimits limits;

    public GroupMembers(GroupService groups, GroupRoles roles, GroupAdmission admission, GroupStore store,
                        PendingJoinStore pending, GroupAnnouncer announcer, GroupAddConsent consent,
                        GroupRateLimits limits) {
        this.groups = groups;
        this.roles = roles;
        this.admission = admission;
        this.store = store;
        this.pending = pending;
        this.announcer = announcer;
        this.consent = consent;
        this.limits = limits;
    }

    /** What adding members did: members added directly, and invitations for those who only accept invitations. */
    public record Additions(List<GroupMember> added, List<PendingJoin> invited) {
    }

    /**
     * Adds the users whose {@code groupAdds} setting admits the caller (or who asked to join) and invites the
     * others. 409 if any already is a member or the group would exceed its size, 400 unknown users.
     */
    public Additions add(String groupId, String caller, List<String> userIds) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupService.requireManager(mine, "add members");
        Set<String> users = groups.newcomers(groupId, caller, userIds);
        GroupAddConsent.Split split = consent.split(caller, users, groupId);
        limits.adding(caller, users.size());
        List<GroupMember> added = split.add().isEmpty() ? List.of() : admission.add(mine.group(), caller, split.add());
        return new Additions(added, admission.invite(mine.group(), caller, split.invite()));
    }

    public List<GroupMember> list(String groupId, String caller, int skip, int limit) {
        groups.view(groupId, caller);
        return store.members(groupId, skip, limit);
    }

    /** Removes a member (admins and the owner), or the caller themselves (leaving). */
    public void remove(String groupId, String caller, String userId) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupMember target = groups.findTarget(groupId, userId);
        if (userId.equals(caller)) {
            if (mine.role() == GroupRole.OWNER) {
                throw ApiException.conflict("The owner cannot leave; transfer ownership first (POST .../owner) "
                        + "or dissolve the group.");
            }
        } else if (target.role() == GroupRole.OWNER) {
            throw ApiException.forbidden("The owner cannot be removed.");
        } else if (mine.role() == GroupRole.MEMBER
                || (mine.role() == GroupRole.ADMIN && target.role() == GroupRole.ADMIN)) {
            throw ApiException.forbidden(mine.role() == GroupRole.MEMBER
                    ? "Only admins and the owner can remove members." : "Only the owner can remove an admin.");
        }
        if (store.deleteMember(groupId, userId)) {
            store.releaseSeats(groupId, 1);
            ObjectNode event = userId.equals(caller) ? GroupEvents.memberLeft(userId) : GroupEvents.memberRemoved(userId);
            announcer.announce(groupId, null, caller, event, List.of(), List.of(userId));
        }
    }

    /**
     * Takes a deleted account out of every group, as if it had left each one itself ({@code member_left}): a
     * group it owns first passes to the admin who joined first, else the member who joined first
     * ({@code owner_changed}), and is dissolved when nobody else is in it. Its pending invitations and join
     * requests go too. Safe to run again (what is already done is skipped).
     */
    public void removeAccount(String userId) {
        Set<String> done = new HashSet<>();
        while (true) {
            List<GroupMember> page = store.memberships(userId, 0, 100).stream()
                    .filter(m -> !done.contains(m.groupId())).toList();
            if (page.isEmpty()) {
                break;
            }
            for (GroupMember membership : page) {
                done.add(membership.groupId());
                leaveForGood(membership);
            }
        }
        pending.deleteUser(userId);
    }

    private void leaveForGood(GroupMember membership) {
        String groupId = membership.groupId();
        String userId = membership.userId();
        if (store.findGroup(groupId).isEmpty()) {
            store.deleteMember(groupId, userId); // a dissolved group's leftover: nothing to announce
            return;
        }
        if (membership.role() == GroupRole.OWNER) {
            Optional<String> next = store.successor(groupId, userId);
            if (next.isEmpty()) {
                groups.dissolve(groupId, userId);
                return;
            }
            roles.transferOwnership(groupId, userId, next.get());
        }
        remove(groupId, userId, userId);
    }
}
