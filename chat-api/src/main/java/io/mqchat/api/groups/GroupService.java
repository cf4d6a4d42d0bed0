package io.mqchat.api.groups;

import io.mqchat.api.web.ApiException;
import io.mqchat.common.protocol.Ids;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The rules of group management: who may do what, validation and the size limit. */
@Service
public class GroupService {

    static final int MAX_NAME = 100;
    static final int MAX_DESCRIPTION = 1000;
    static final int MAX_AVATAR_URL = 2048;

    private final GroupStore store;
    private final GroupsProperties properties;
    private final Clock clock = Clock.systemUTC();

    public GroupService(GroupStore store, GroupsProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    public Group create(String caller, String name, String description, String avatarUrl, List<String> memberIds) {
        String cleanName = requireName(name);
        checkDescription(description);
        checkAvatar(avatarUrl);
        Set<String> others = validUserIds(memberIds, "members");
        others.remove(caller);
        int size = others.size() + 1;
        if (size > properties.maxSize()) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members; this one would have "
                    + size + ".");
        }
        requireExisting(others);
        Instant now = clock.instant();
        // 3..64 characters of [A-Za-z0-9_.-]: "g" + 32 hex digits
        String groupId = "g" + UUID.randomUUID().toString().replace("-", "");
        Group group = new Group(groupId, cleanName, emptyToNull(description), emptyToNull(avatarUrl), caller, size, now);
        store.insertGroup(group);
        store.insertMember(new GroupMember(groupId, caller, GroupRole.OWNER, now));
        for (String user : others) {
            store.insertMember(new GroupMember(groupId, user, GroupRole.MEMBER, now));
        }
        return group;
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

    public Membership update(String groupId, String caller, String name, String description, String avatarUrl) {
        Membership mine = view(groupId, caller);
        requireManager(mine, "change the group's profile");
        String cleanName = name == null ? null : requireName(name);
        checkDescription(description);
        checkAvatar(avatarUrl);
        store.updateProfile(groupId, cleanName, description, avatarUrl);
        return view(groupId, caller);
    }

    public void dissolve(String groupId, String caller) {
        Membership mine = view(groupId, caller);
        if (mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can dissolve the group.");
        }
        store.dissolve(groupId, clock.instant());
    }

    public List<GroupMember> addMembers(String groupId, String caller, List<String> userIds) {
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
        if (!store.reserveSeats(groupId, users.size(), properties.maxSize())) {
            throw ApiException.conflict("A group can have at most " + properties.maxSize() + " members; adding "
                    + users.size() + " would exceed it.");
        }
        Instant now = clock.instant();
        List<GroupMember> added = new ArrayList<>();
        List<String> raced = new ArrayList<>();
        for (String user : users) {
            GroupMember member = new GroupMember(groupId, user, GroupRole.MEMBER, now);
            if (store.insertMember(member)) {
                added.add(member);
            } else {
                raced.add(user);
            }
        }
        store.releaseSeats(groupId, raced.size());
        if (added.isEmpty()) {
            throw ApiException.conflict("Already members: " + String.join(", ", sorted(raced)) + ".");
        }
        return added;
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
        }
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
        store.setRole(groupId, userId, role);
        return new GroupMember(groupId, userId, role, target.joinedAt());
    }

    /** Makes another member the owner; the previous owner becomes an admin. */
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
        store.findMember(groupId, userId)
                .orElseThrow(() -> ApiException.badRequest("The new owner must be a member of the group."));
        store.setRole(groupId, userId, GroupRole.OWNER);
        store.setOwner(groupId, userId);
        store.setRole(groupId, caller, GroupRole.ADMIN);
        return view(groupId, caller);
    }

    private GroupMember findTarget(String groupId, String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw ApiException.notFound("No such member.");
        }
        return store.findMember(groupId, userId).orElseThrow(() -> ApiException.notFound("No such member."));
    }

    private Group requireGroup(String groupId) {
        if (!Ids.isValidGroupId(groupId)) {
            throw ApiException.notFound("No such group.");
        }
        return store.findGroup(groupId).orElseThrow(() -> ApiException.notFound("No such group."));
    }

    private static void requireManager(Membership mine, String action) {
        if (!mine.role().canManageMembers()) {
            throw ApiException.forbidden("Only admins and the owner can " + action + ".");
        }
    }

    private void requireExisting(Set<String> users) {
        Set<String> existing = store.existingUsers(users);
        List<String> unknown = users.stream().filter(u -> !existing.contains(u)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("Unknown users: " + String.join(", ", unknown) + ".");
        }
    }

    private Set<String> validUserIds(List<String> ids, String field) {
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

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
    private static List<String> sorted(List<String> s) {
        return s.stream().sorted().toList();
    }
}
