package io.mqchat.api.groups;

import io.mqchat.common.groups.GroupMember;
import io.mqchat.web.ApiException;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import org.springframework.stereotype.Service;

import java.util.List;

/**
 * Users asking to join, by the group's join policy: {@code open} joins at once ({@code member_joined} via
 * {@code open}), {@code approval} leaves a request for an admin to approve ({@code member_joined} via
 * {@code request}, done by the approver) or reject, {@code closed} refuses.
 */
@Service
public class GroupJoinRequests {

    private final GroupService groups;
    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupAnnouncer announcer;

    public GroupJoinRequests(GroupService groups, GroupStore store, PendingJoinStore pending, GroupAnnouncer announcer) {
        this.groups = groups;
        this.store = store;
        this.pending = pending;
        this.announcer = announcer;
    }

    /** What asking to join did: either {@code joined} or {@code request} (pending) is set. */
    public record Outcome(GroupService.Membership joined, PendingJoin request) {
    }

    public Outcome request(String groupId, String caller) {
        Group group = groups.requireGroup(groupId);
        if (store.findMember(groupId, caller).isPresent()) {
            throw ApiException.conflict("You are already a member of this group.");
        }
        switch (group.joinPolicy()) {
            case CLOSED -> throw ApiException.forbidden("This group is joined by invitation only.");
            case OPEN -> {
                groups.admit(group, caller, caller, "open");
                return new Outcome(groups.view(groupId, caller), null);
            }
            default -> {
                PendingJoin request = new PendingJoin(groupId, caller, caller, groups.now());
                if (pending.insert(PendingJoinStore.Kind.JOIN_REQUEST, request)) {
                    announcer.tell(store.managerIds(groupId), ServerEvent.groupJoinRequest(groupId, group.name(),
                            caller, request.createdAt().toEpochMilli()));
                } else {
                    request = pending.find(PendingJoinStore.Kind.JOIN_REQUEST, groupId, caller).orElse(request);
                }
                return new Outcome(null, request);
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
        requireRequest(groupId, userId);
        if (store.findMember(groupId, userId).isPresent()) {
            pending.deleteBoth(groupId, userId);
            throw ApiException.conflict(userId + " is already a member of this group.");
        }
        return groups.admit(mine.group(), userId, caller, "request");
    }

    /** Rejects a request (admins and the owner) or withdraws one's own; 404 without a pending request. */
    public void cancel(String groupId, String caller, String userId) {
        if (userId != null && userId.equals(caller)) {
            groups.requireGroup(groupId);
        } else {
            GroupService.requireManager(groups.view(groupId, caller), "reject join requests");
        }
        requireRequest(groupId, userId);
        if (!pending.delete(PendingJoinStore.Kind.JOIN_REQUEST, groupId, userId)) {
            throw noRequest();
        }
    }

    private void requireRequest(String groupId, String userId) {
        if (!Ids.isValidUserId(userId) || pending.find(PendingJoinStore.Kind.JOIN_REQUEST, groupId, userId).isEmpty()) {
            throw noRequest();
        }
    }

    private static ApiException noRequest() {
        return ApiException.notFound("No such join request.");
    }
}
