package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.web.ApiException;
import io.mqchat.common.groups.GroupEvents;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The rules of group management: who may do what, validation, the size limit, and how members get in.
 * Every change is written first (the record), then stored as an event in the group conversation and
 * announced to the broker nodes ({@link GroupAnnouncer}). Nobody is put into a group without their consent:
 * users whose {@code groupAdds} setting does not admit the actor are invited instead ({@link GroupAddConsent}),
 * and creating groups and adding or inviting people is rate-limited per user ({@link GroupRateLimits}).
 * Invitations, join requests and mutes build on this class ({@link GroupInvitations}, {@link GroupJoinRequests},
 * {@link GroupMutes}).
 */
@Service
public class GroupService {

    static final int MAX_NAME = 100;
    static final int MAX_DESCRIPTION = 1000;
    static final int MAX_AVATAR_URL = 2048;

    private final GroupStore store;
    private final PendingJoinStore pending;
    private final GroupAnnouncer announcer;
    private final GroupsProperties properties;
    private final GroupAddConsent consent;
    private final GroupRateLimits limits;
    private final Clock clock = Clock.systemUTC();

    public GroupService(GroupStore store, PendingJoinStore pending, GroupAnnouncer announcer,
                        GroupsProperties properties, GroupAddConsent consent, GroupRateLimits limits) {
        this.store = store;
        this.pending = pending;
        this.announcer = announcer;
        this.properties = properties;
        this.consent = consent;
        this.limits = limits;
    }

    /** A new group, who was made a member with it and who was invited instead (their setting). */
    public record Created(Group group, List<String> added, List<PendingJoin> invited) {
    }

    /** What adding members did: members added directly, and invitations for those who only accept invitations. */
    public record Additions(List<GroupMember> added, List<PendingJoin> invited) {
    }

    /** Group settings as sent by clients; null leaves a setting at its default (create) or unchanged (edit). */
    public record Settings(String joinPolicy, Boolean membersInvite, String history) {
    }

    /**
     * Creates a group owned by the caller. Of the members listed, those whose {@code groupAdds} setting admits
     * the caller become members; the others are invited.
     */
    public Created create(String caller, String name, String description, String avatarUrl, List<String> memberIds,
                          Settings settings) {
        String cleanName = requireName(name);
        checkDescription(description);
        checkAvatar(avatarUrl);
        JoinPolicy joinPolicy = Objects.requireNonNullElse(joinPolicy(settings.joinPolicy()), JoinPolicy.DEFAULT);
        HistoryVisibility history = Objects.requireNonNullElse(history(settings.history()), HistoryVisibility.DEFAULT);
        Set<String> others = validUserIds(memberIds, "members");
        others.remove(caller);
        int size = others.size() + 1;
        if (size > properties.maxSize()) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members; this one would have "
                    + size + ".");
        }
        requireExisting(others);
        GroupAddConsent.Split split = consent.split(caller, others, null);
        limits.creating(caller, others.size());
        Instant now = now();
        // 3..64 characters of [A-Za-z0-9_.-]: "g" + 32 hex digits
        String groupId = "g" + UUID.randomUUID().toString().replace("-", "");
        long seq = announcer.reserveSeq(groupId);
        long fromSeq = history.fromSeq(seq);
        Group group = new Group(groupId, cleanName, emptyToNull(description), emptyToNull(avatarUrl), caller,
                split.add().size() + 1, now, joinPolicy, settings.membersInvite() == null || settings.membersInvite(),
                history, false);
        store.insertGroup(group);
        List<String> everyone = new ArrayList<>();
        everyone.add(caller);
        everyone.addAll(split.add());
        store.insertMember(new GroupMember(groupId, caller, GroupRole.OWNER, now, fromSeq, null));
        for (String user : split.add()) {
            store.insertMember(new GroupMember(groupId, user, GroupRole.MEMBER, now, fromSeq, null));
        }
        announcer.announce(groupId, seq, caller, GroupEvents.created(cleanName, everyone), everyone, List.of());
        List<PendingJoin> invited = invite(group, caller, split.invite());
        return new Created(group, List.copyOf(split.add()), invited);
    }

    /**
     * Invites users who are not members: a new invitation tells the invitee's devices; a pending one stays as
     * it was (the first invitation stands, nothing is sent again). The pending invitations.
     */
    List<PendingJoin> invite(Group group, String by, Collection<String> users) {
        Instant now = now();
        List<PendingJoin> result = new ArrayList<>();
        for (String user : users) {
            PendingJoin invitation = new PendingJoin(group.groupId(), user, by, now);
            if (pending.insert(PendingJoinStore.Kind.INVITATION, invitation)) {
                announcer.tell(List.of(user), ServerEvent.groupInvitation(group.groupId(), group.name(), by,
                        now.toEpochMilli()));
            } else {
                invitation = pending.find(PendingJoinStore.Kind.INVITATION, group.groupId(), user).orElse(invitation);
            }
            result.add(invitation);
        }
        return result;
    }

    /** The group and the caller's role in it: 404 unknown (or an impossible id), 403 not a member. */
    public Membership view(String groupId, String caller) {
        Group group = requireGroup(groupId);
        GroupMember me = store.findMember(groupId, caller)
                .orElseThrow(() -> ApiException.forbidden("You are not a member of this group."));
        return new Membership(group, me.role());
    }

    public record Membership(Group group, GroupRole role) {
    }

    public List<Membership> myGroups(String caller, int skip, int limit) {
        List<GroupMember> memberships = store.memberships(caller, skip, limit);
        Map<String, Group> groups = store.findGroups(memberships.stream().map(GroupMember::groupId).toList());
        List<Membership> result = new ArrayList<>();
        for (GroupMember m : memberships) {
            Group group = groups.get(m.groupId());
            if (group != null) {
                result.add(new Membership(group, m.role()));
            }
        }
        return result;
    }

    /** Edits the profile and settings; announces {@code updated} with the fields that really changed. */
    public Membership update(String groupId, String caller, String name, String description, String avatarUrl,
                             Settings settings) {
        Membership mine = view(groupId, caller);
        requireManager(mine, "change the group's profile and settings");
        String cleanName = name == null ? null : requireName(name);
        checkDescription(description);
        checkAvatar(avatarUrl);
        JoinPolicy joinPolicy = joinPolicy(settings.joinPolicy());
        HistoryVisibility history = history(settings.history());
        Group before = mine.group();
        List<String> changed = new ArrayList<>();
        if (cleanName != null && !cleanName.equals(before.name())) {
            changed.add("name");
        }
        if (description != null && !Objects.equals(emptyToNull(description), before.description())) {
            changed.add("description");
        }
        if (avatarUrl != null && !Objects.equals(emptyToNull(avatarUrl), before.avatarUrl())) {
            changed.add("avatarUrl");
        }
        if (joinPolicy != null && joinPolicy != before.joinPolicy()) {
            changed.add("joinPolicy");
        }
        if (settings.membersInvite() != null && settings.membersInvite() != before.membersInvite()) {
            changed.add("membersInvite");
        }
        if (history != null && history != before.history()) {
            changed.add("history");
        }
        if (!changed.isEmpty()) {
            store.updateGroup(groupId, cleanName, description, avatarUrl, joinPolicy, settings.membersInvite(), history);
            announcer.announce(groupId, caller, GroupEvents.updated(changed));
        }
        return view(groupId, caller);
    }

    /** Dissolves the group; every member is unsubscribed and gets the {@code dissolved} event in their inbox. */
    public void dissolve(String groupId, String caller) {
        Membership mine = view(groupId, caller);
        if (mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can dissolve the group.");
        }
        // read before the memberships are deleted: these are the users to unsubscribe
        List<String> members = store.memberIds(groupId);
        boolean dissolved = store.dissolve(groupId, now());
        pending.deleteGroup(groupId);
        if (dissolved) {
            announcer.announce(groupId, null, caller, GroupEvents.dissolved(), List.of(), members);
        }
    }

    /**
     * Adds the users whose {@code groupAdds} setting admits the caller (or who asked to join) and invites the
     * others. 409 if any already is a member or the group would exceed its size, 400 unknown users.
     */
    public Additions addMembers(String groupId, String caller, List<String> userIds) {
        Membership mine = view(groupId, caller);
        requireManager(mine, "add members");
        Set<String> users = validUserIds(userIds, "userIds");
        if (users.isEmpty()) {
            throw ApiException.badRequest("userIds must list at least one user.");
        }
        Set<String> already = store.membersAmong(groupId, users);
        if (!already.isEmpty()) {
            throw ApiException.conflict("Already members: " + String.join(", ", sorted(already)) + ".");
        }
        requireExisting(users);
        GroupAddConsent.Split split = consent.split(caller, users, groupId);
        limits.adding(caller, users.size());
        List<GroupMember> added = split.add().isEmpty() ? List.of() : addDirectly(mine, caller, split.add());
        return new Additions(added, invite(mine.group(), caller, split.invite()));
    }

    private List<GroupMember> addDirectly(Membership mine, String caller, Set<String> users) {
        String groupId = mine.group().groupId();
        if (!store.reserveSeats(groupId, users.size(), properties.maxSize())) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members; adding "
                    + users.size() + " would exceed it.");
        }
        long seq = reserveSeqOrReleaseSeats(groupId, users.size());
        long fromSeq = mine.group().history().fromSeq(seq);
        Instant now = now();
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
            throw ApiException.conflict("Already members: " + String.join(", ", sorted(raced)) + ".");
        }
        List<String> addedIds = added.stream().map(GroupMember::userId).toList();
        addedIds.forEach(user -> pending.deleteBoth(groupId, user));
        announcer.announce(groupId, seq, caller, GroupEvents.membersAdded(addedIds), addedIds, List.of());
        return added;
    }

    /**
     * Makes {@code user} a plain member who came in {@code via} an invitation, a request or an open group
     * ({@code member_joined}, done by {@code actor}): the size limit holds, {@code fromSeq} follows the
     * group's history setting, and the user's pending invitation and join request are dropped.
     * 409 if the group is full or the user already is a member.
     */
    GroupMember admit(Group group, String user, String actor, String via) {
        String groupId = group.groupId();
        if (!store.reserveSeats(groupId, 1, properties.maxSize())) {
            throw ApiException.conflict("The group is full: it can have at most " + properties.maxSize() + " members.");
        }
        long seq = reserveSeqOrReleaseSeats(groupId, 1);
        GroupMember member = new GroupMember(groupId, user, GroupRole.MEMBER, now(), group.history().fromSeq(seq), null);
        if (!store.insertMember(member)) {
            store.releaseSeats(groupId, 1);
            pending.deleteBoth(groupId, user);
            throw ApiException.conflict(user + " is already a member of this group.");
        }
        pending.deleteBoth(groupId, user);
        announcer.announce(groupId, seq, actor, GroupEvents.memberJoined(user, via), List.of(user), List.of());
        return member;
    }

    private long reserveSeqOrReleaseSeats(String groupId, int seats) {
        try {
            return announcer.reserveSeq(groupId);
        } catch (RuntimeException e) {
            store.releaseSeats(groupId, seats);
            throw e;
        }
    }

    public List<GroupMember> members(String groupId, String caller, int skip, int limit) {
        view(groupId, caller);
        return store.members(groupId, skip, limit);
    }

    /** Removes a member (admins and the owner), or the caller themselves (leaving). */
    public void removeMember(String groupId, String caller, String userId) {
        Membership mine = view(groupId, caller);
        GroupMember target = findTarget(groupId, userId);
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
        Set<String> done = new java.util.HashSet<>();
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
            java.util.Optional<String> next = store.successor(groupId, userId);
            if (next.isEmpty()) {
                dissolve(groupId, userId);
                return;
            }
            transferOwnership(groupId, userId, next.get());
        }
        removeMember(groupId, userId, userId);
    }

    public GroupMember setRole(String groupId, String caller, String userId, String roleText) {
        Membership mine = view(groupId, caller);
        if (mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can change roles.");
        }
        GroupRole role = GroupRole.parse(roleText).filter(r -> r != GroupRole.OWNER)
                .orElseThrow(() -> ApiException.badRequest("role must be 'admin' or 'member' "
                        + "(ownership moves with POST .../owner)."));
        GroupMember target = findTarget(groupId, userId);
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
    public Membership transferOwnership(String groupId, String caller, String userId) {
        Membership mine = view(groupId, caller);
        if (mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can transfer ownership.");
        }
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
        if (next.mutedAt(now())) {
            announcer.announce(groupId, caller, GroupEvents.memberUnmuted(userId));
        }
        return view(groupId, caller);
    }

    /** The member {@code userId} of the group: 404 if not a member (or an impossible id). */
    GroupMember findTarget(String groupId, String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw ApiException.notFound("No such member.");
        }
        return store.findMember(groupId, userId).orElseThrow(() -> ApiException.notFound("No such member."));
    }

    /** The live group: 404 unknown, dissolved or an impossible id. */
    Group requireGroup(String groupId) {
        if (!Ids.isValidGroupId(groupId)) {
            throw ApiException.notFound("No such group.");
        }
        return store.findGroup(groupId).orElseThrow(() -> ApiException.notFound("No such group."));
    }

    static void requireManager(Membership mine, String action) {
        if (!mine.role().canManageMembers()) {
            throw ApiException.forbidden("Only admins and the owner can " + action + ".");
        }
    }

    /** 400 naming the users that are not registered. */
    void requireExisting(Set<String> users) {
        Set<String> existing = store.existingUsers(users);
        List<String> unknown = users.stream().filter(u -> !existing.contains(u)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("Unknown users: " + String.join(", ", unknown) + ".");
        }
    }

    /** Distinct, valid user ids (400 otherwise); empty for null. */
    Set<String> validUserIds(List<String> ids, String field) {
        Set<String> result = new LinkedHashSet<>();
        if (ids == null) {
            return result;
        }
        if (ids.size() > properties.maxSize()) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members.");
        }
        for (String id : ids) {
            if (!Ids.isValidUserId(id)) {
                throw ApiException.badRequest(field + " must contain user ids (" + Ids.userIdRule() + ").");
            }
            result.add(id);
        }
        return result;
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static JoinPolicy joinPolicy(String text) {
        if (text == null) {
            return null;
        }
        return JoinPolicy.parse(text).orElseThrow(() ->
                ApiException.badRequest("joinPolicy must be 'closed', 'approval' or 'open'."));
    }

    private static HistoryVisibility history(String text) {
        if (text == null) {
            return null;
        }
        return HistoryVisibility.parse(text).orElseThrow(() ->
                ApiException.badRequest("history must be 'since-join' or 'all'."));
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("name is required.");
        }
        String trimmed = name.strip();
        if (trimmed.length() > MAX_NAME || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("name must be at most " + MAX_NAME + " characters, without control characters.");
        }
        return trimmed;
    }

    private static void checkDescription(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description must be at most " + MAX_DESCRIPTION + " characters.");
        }
    }

    private static void checkAvatar(String avatarUrl) {
        if (avatarUrl != null && !avatarUrl.isEmpty()
                && (avatarUrl.length() > MAX_AVATAR_URL || !avatarUrl.matches("https?://[^\\s]+"))) {
            throw ApiException.badRequest("avatarUrl must be an http(s) URL of at most " + MAX_AVATAR_URL + " characters.");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static List<String> sorted(List<String> s) {
        return s.stream().sorted().toList();
    }
}
