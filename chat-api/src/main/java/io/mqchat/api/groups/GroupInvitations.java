package io.mqchat.api.groups;

import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.List;
import java.util.Set;

/**
 * Invitations: members invite users (admins always; plain members while the group's {@code membersInvite}
 * is on), the invitee accepts (joins, {@code member_joined} via {@code invitation}) or declines. Works
 * whatever the join policy. Inviting counts against the inviter's {@code groupAdd} rate limit, as adding does.
 */
@Service
public class GroupInvitations {

    private static final String NO_INVITATION = "You have no pending invitation to this group.";

    private final GroupService groups;
    private final GroupAdmission admission;
    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupRateLimits limits;

    public GroupInvitations(GroupService groups, GroupAdmission admission, GroupStore store, PendingJoinStore pending,
                            GroupRateLimits limits) {
        this.groups = groups;
        this.admission = admission;
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
        Set<String> users = groups.newcomers(groupId, caller, userIds);
        limits.adding(caller, users.size());
        return admission.invite(mine.group(), caller, users);
    }

    /** A page of the caller's pending invitations, oldest first. */
    public List<Invitation> mine(String caller, int skip, int limit) {
        return store.withLiveGroups(pending.invitationsOf(caller, skip, limit), PendingJoin::groupId,
                (invitation, group) -> new Invitation(invitation, group.name()));
    }

    /** Joins the group; 404 without a pending invitation, 409 if the group is full (the invitation stays). */
    public GroupService.Membership accept(String groupId, String caller) {
        admission.requirePending(PendingJoinStore.Kind.INVITATION, groupId, caller, NO_INVITATION);
        Group group = store.findGroup(groupId).orElseThrow(() -> {
            pending.deleteBoth(groupId, caller);
            return ApiException.notFound("No such group.");
        });
        admission.requireNotMember(groupId, caller, "You are already a member of this group.");
        admission.admit(group, caller, caller, "invitation");
        return groups.view(groupId, caller);
    }

    public void decline(String groupId, String caller) {
        admission.dropPending(PendingJoinStore.Kind.INVITATION, groupId, caller, NO_INVITATION);
    }
}
