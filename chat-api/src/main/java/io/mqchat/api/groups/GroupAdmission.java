package io.mqchat.api.groups;

import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How users get into an existing group, whoever lets them in: added by a manager, admitted from an invitation,
 * a join request or an open group, and the pending invitations and join requests themselves. Every way in
 * holds the size limit (seats are reserved on the group document first), reads from the seq its event gets
 * (by the group's history setting), and drops the user's pending rows. Who may let whom in is decided by the
 * callers ({@link GroupMembers}, {@link GroupInvitations}, {@link GroupJoinRequests}).
 */
@Service
public class GroupAdmission {

    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupAnnouncer announcer;
    private final GroupsProperties properties;

    public GroupAdmission(GroupStore store, PendingJoinStore pending, GroupAnnouncer announcer,
                          GroupsProperties properties) {
        this.store = store;
        this.pending = pending;
        this.announcer = announcer;
        this.properties = properties;
    }

    /**
     * Adds {@code users} as plain members in one event ({@code members_added}, by {@code actor}). 409 if the
     * group would exceed its size, or if every one of them turned out to be a member already (a race).
     */
    List<GroupMember> add(Group group, String actor, Set<String> users) {
        String groupId = group.groupId();
        if (!store.reserveSeats(groupId, users.size(), properties.maxSize())) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members; adding "
                    + users.size() + " would exceed it.");
        }
        long seq = reserveSeqOrReleaseSeats(groupId, users.size());
        long fromSeq = group.history().fromSeq(seq);
        Instant now = GroupService.now();
        List<GroupMember> added = new ArrayList<>();
        List<String> raced = new ArrayList<>();
        for (String user : users) {
            GroupMember member = new GroupMember(groupId, user, GroupRole.MEMBER, now, fromSeq, null);
            if (store.insertMember(member)) {
                added.add(member);
            } else {
                raced.add(user);
            }
        }
        store.releaseSeats(groupId, raced.size());
        if (added.isEmpty()) {
            // the reserved seq stays unused: a hole, which sync skips
            throw GroupService.alreadyMembers(raced);
        }
        List<String> addedIds = added.stream().map(GroupMember::userId).toList();
        addedIds.forEach(user -> pending.deleteBoth(groupId, user));
        announcer.announce(groupId, seq, actor, GroupEvents.membersAdded(addedIds), addedIds, List.of());
        return added;
    }

    /**
     * Makes {@code user} a plain member who came in {@code via} an invitation, a request or an open group
     * ({@code member_joined}, done by {@code actor}). 409 if the group is full or the user already is a member.
     */
    GroupMember admit(Group group, String user, String actor, String via) {
        String groupId = group.groupId();
        if (!store.reserveSeats(groupId, 1, properties.maxSize())) {
            throw ApiException.conflict("The group is full: it can have at most " + properties.maxSize() + " members.");
        }
        long seq = reserveSeqOrReleaseSeats(groupId, 1);
        GroupMember member = new GroupMember(groupId, user, GroupRole.MEMBER, GroupService.now(),
                group.history().fromSeq(seq), null);
        if (!store.insertMember(member)) {
            store.releaseSeats(groupId, 1);
            pending.deleteBoth(groupId, user);
            throw ApiException.conflict(user + " is already a member of this group.");
        }
        pending.deleteBoth(groupId, user);
        announcer.announce(groupId, seq, actor, GroupEvents.memberJoined(user, via), List.of(user), List.of());
        return member;
    }

    /**
     * 409 with {@code already} if {@code user} is a member of the group; their pending invitation and join
     * request are dropped then, as they have nothing left to wait for.
     */
    void requireNotMember(String groupId, String user, String already) {
        if (store.findMember(groupId, user).isPresent()) {
            pending.deleteBoth(groupId, user);
            throw ApiException.conflict(already);
        }
    }

    /**
     * Invites users who are not members: a new invitation tells the invitee's devices; a pending one stays as
     * it was (the first invitation stands, nothing is sent again). The pending invitations.
     */
    List<PendingJoin> invite(Group group, String by, Collection<String> users) {
        Instant now = GroupService.now();
        List<PendingJoin> result = new ArrayList<>();
        for (String user : users) {
            result.add(keepFirst(PendingJoinStore.Kind.INVITATION, new PendingJoin(group.groupId(), user, by, now),
                    invitation -> announcer.tell(List.of(user), new ServerEvent.GroupInvitation(group.groupId(),
                            group.name(), by, now.toEpochMilli()).toJson())));
        }
        return result;
    }

    /** Asks to join a group by approval; the managers hear of a new request. The pending request. */
    PendingJoin requestToJoin(Group group, String user) {
        return keepFirst(PendingJoinStore.Kind.JOIN_REQUEST, new PendingJoin(group.groupId(), user, user,
                GroupService.now()), request -> announcer.tell(store.managerIds(group.groupId()),
                new ServerEvent.GroupJoinRequest(group.groupId(), group.name(), user, request.createdAt().toEpochMilli())
                        .toJson()));
    }

    /** The pending invitation or join request of {@code userId}: 404 with {@code none} if there is none. */
    PendingJoin requirePending(PendingJoinStore.Kind kind, String groupId, String userId, String none) {
        if (!Ids.isValidGroupId(groupId) || !Ids.isValidUserId(userId)) {
            throw ApiException.notFound(none);
        }
        return pending.find(kind, groupId, userId).orElseThrow(() -> ApiException.notFound(none));
    }

    /** Declines, rejects or withdraws a pending invitation or join request: 404 with {@code none} if there is none. */
    void dropPending(PendingJoinStore.Kind kind, String groupId, String userId, String none) {
        requirePending(kind, groupId, userId, none);
        if (!pending.delete(kind, groupId, userId)) {
            throw ApiException.notFound(none);
        }
    }

    /** Stores {@code candidate} and tells of it, unless one is pending already: then that one stands. */
    private PendingJoin keepFirst(PendingJoinStore.Kind kind, PendingJoin candidate, Consumer<PendingJoin> tellNew) {
        if (pending.insert(kind, candidate)) {
            tellNew.accept(candidate);
            return candidate;
        }
        return pending.find(kind, candidate.groupId(), candidate.userId()).orElse(candidate);
    }

    private long reserveSeqOrReleaseSeats(String groupId, int seats) {
        try {
            return announcer.reserveSeq(groupId);
        } catch (RuntimeException e) {
            store.releaseSeats(groupId, seats);
            throw e;
        }
    }
}
