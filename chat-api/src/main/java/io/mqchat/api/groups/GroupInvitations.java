package io.mqchat.api.groups;

import io.mqchat.web.ApiException;
import io.mqchat.common.protocol.Ids;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Invitations: members invite users (admins always; plain members while the group's {@code membersInvite}
 * is on), the invitee accepts (joins, {@code member_joined} via {@code invitation}) or declines. Works
 * whatever the join policy. Inviting counts against the inviter's {@code groupAdd} rate limit, as adding does.
 */
@Service
public class GroupInvitations {

    private final GroupService groups;
    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupRateLimits limits;

    public GroupInvitations(GroupService groups, GroupStore store, PendingJoinStore pending, GroupRateLimits limits) {
        this.groups = groups;
        this.store = store;
        this.pending = pending;
        this.limits = limits;
    }

    /** A pending invitation as its invitee sees it. */
    public record Invitation(PendingJoin pending, String groupName) {
    }

    /**
     * Invites users; 409 if any already is a member, 400 for unknown users. Inviting someone whose
     * invitation is pending changes nothing (the first invitation stands). The pending invitations.
     */
    public List<PendingJoin> invite(String groupId, String caller, List<String> userIds) {
        GroupService.Membership mine = groups.view(groupId, caller);
        if (!mine.role().canManageMembers() && !mine.group().membersInvite()) {
            throw ApiException.forbidden("Only admins and the owner can invite to this group.");
        }
        Set<String> users = groups.validUserIds(userIds, "userIds");
        if (users.isEmpty()) {
            throw ApiException.badRequest("userIds must list at least one user.");
        }
        Set<String> already = store.membersAmong(groupId, users);
        if (!already.isEmpty()) {
            throw ApiException.conflict("Already members: " + String.join(", ", GroupService.sorted(already)) + ".");
        }
        groups.requireExisting(users);
        limits.adding(caller, users.size());
        return groups.invite(mine.group(), caller, users);
    }

    /** A page of the caller's pending invitations, oldest first. */
    public List<Invitation> mine(String caller, int skip, int limit) {
        List<PendingJoin> page = pending.invitationsOf(caller, skip, limit);
        Map<String, Group> live = store.findGroups(page.stream().map(PendingJoin::groupId).toList());
        List<Invitation> result = new ArrayList<>();
        for (PendingJoin invitation : page) {
            Group group = live.get(invitation.groupId());
            if (group != null) {
                result.add(new Invitation(invitation, group.name()));
            }
        }
        return result;
    }

    /** Joins the group; 404 without a pending invitation, 409 if the group is full (the invitation stays). */
    public GroupService.Membership accept(String groupId, String caller) {
        requireInvitation(groupId, caller);
        Group group = store.findGroup(groupId).orElseThrow(() -> {
            pending.deleteBoth(groupId, caller);
            return ApiException.notFound("No such group.");
        });
        if (store.findMember(groupId, caller).isPresent()) {
            pending.deleteBoth(groupId, caller);
            throw ApiException.conflict("You are already a member of this group.");
        }
        groups.admit(group, caller, caller, "invitation");
        return groups.view(groupId, caller);
    }

    public void decline(String groupId, String caller) {
        requireInvitation(groupId, caller);
        if (!pending.delete(PendingJoinStore.Kind.INVITATION, groupId, caller)) {
            throw noInvitation();
        }
    }

    private void requireInvitation(String groupId, String caller) {
        if (!Ids.isValidGroupId(groupId) || pending.find(PendingJoinStore.Kind.INVITATION, groupId, caller).isEmpty()) {
            throw noInvitation();
        }
    }

    private static ApiException noInvitation() {
        return ApiException.notFound("You have no pending invitation to this group.");
    }
}
