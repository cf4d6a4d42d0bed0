package io.mqchat.api.groups;

import io.mqchat.common.groups.GroupMember;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.List;

/**
 * Users asking to join, by the group's join policy: {@code open} joins at once ({@code member_joined} via
 * {@code open}), {@code approval} leaves a request for an admin to approve ({@code member_joined} via
 * {@code request}, done by the approver) or reject, {@code closed} refuses.
 */
@Service
public class GroupJoinRequests {

    private static final String NO_REQUEST = "No such join request.";

    private final GroupService groups;
    private final GroupAdmission admission;
    private final PendingJoinStore pending;

    public GroupJoinRequests(GroupService groups, GroupAdmission admission, PendingJoinStore pending) {
        this.groups = groups;
        this.admission = admission;
        this.pending = pending;
    }

    /** What asking to join did: either {@code joined} or {@code request} (pending) is set. */
    public record Outcome(GroupService.Membership joined, PendingJoin request) {
    }

    public Outcome request(String groupId, String caller) {
        Group group = groups.requireGroup(groupId);
        if (groups.isMember(groupId, caller)) {
            throw ApiException.conflict("You are already a member of this group.");
        }
        switch (group.joinPolicy()) {
            case CLOSED -> throw ApiException.forbidden("This group is joined by invitation only.");
            case OPEN -> {
                admission.admit(group, caller, caller, "open");
                return new Outcome(groups.view(groupId, caller), null);
            }
            default -> {
                return new Outcome(null, admission.requestToJoin(group, caller));
            }
        }
    }

    /** A page of the group's pending requests, oldest first (admins and the owner). */
    public List<PendingJoin> list(String groupId, String caller, int skip, int limit) {
        GroupService.requireManager(groups.view(groupId, caller), "see join requests");
        return pending.joinRequestsOf(groupId, skip, limit);
    }

    /** Admits the requester; 404 without a pending request, 409 if the group is full (the request stays). */
    public GroupMember approve(String groupId, String caller, String userId) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupService.requireManager(mine, "approve join requests");
        admission.requirePending(PendingJoinStore.Kind.JOIN_REQUEST, groupId, userId, NO_REQUEST);
        admission.requireNotMember(groupId, userId, userId + " is already a member of this group.");
        return admission.admit(mine.group(), userId, caller, "request");
    }

    /** Rejects a request (admins and the owner) or withdraws one's own; 404 without a pending request. */
    public void cancel(String groupId, String caller, String userId) {
        if (userId != null && userId.equals(caller)) {
            groups.requireGroup(groupId);
        } else {
            GroupService.requireManager(groups.view(groupId, caller), "reject join requests");
        }
        admission.dropPending(PendingJoinStore.Kind.JOIN_REQUEST, groupId, userId, NO_REQUEST);
    }
}
