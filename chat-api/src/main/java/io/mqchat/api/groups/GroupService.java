package io.mqchat.api.groups;

import io.mqchat.common.contacts.Relations;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.protocol.Ids;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The rules of a group itself: creating one, who sees it, its profile and settings, dissolving it; and the
 * look-ups every other group rule starts from (the live group, the caller's membership, a target member, the
 * users to put in). Every change is written first (the record), then stored as an event in the group
 * conversation and announced to the broker nodes ({@link GroupAnnouncer}). Nobody is put into a group without
 * their consent: users whose {@code groupAdds} setting does not admit the actor are invited instead
 * ({@link GroupAddConsent}), and creating groups and adding or inviting people is rate-limited per user
 * ({@link GroupRateLimits}). Members, roles, invitations, join requests and mutes build on this class
 * ({@link GroupMembers}, {@link GroupRoles}, {@link GroupInvitations}, {@link GroupJoinRequests},
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
    private final GroupAdmission admission;
    private final GroupsProperties properties;
    private final GroupAddConsent consent;
    private final GroupRateLimits limits;
    private final Relations relations;

    public GroupService(GroupStore store, PendingJoinStore pending, GroupAnnouncer announcer, GroupAdmission admission,
                        GroupsProperties properties, GroupAddConsent consent, GroupRateLimits limits,
                        Relations relations) {
        this.store = store;
        this.pending = pending;
        this.announcer = announcer;
        this.admission = admission;
        this.properties = properties;
        this.consent = consent;
        this.limits = limits;
        this.relations = relations;
    }

    /** A new group, who was made a member with it and who was invited instead (their setting). */
    public record Created(Group group, List<String> added, List<PendingJoin> invited) {
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
        refuseBlockers(caller, others);
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
        List<PendingJoin> invited = admission.invite(group, caller, split.invite());
        return new Created(group, List.copyOf(split.add()), invited);
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
        return store.withLiveGroups(store.memberships(caller, skip, limit), GroupMember::groupId,
                (m, group) -> new Membership(group, m.role()));
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
        requireOwner(view(groupId, caller), "dissolve the group");
        // read before the memberships are deleted: these are the users to unsubscribe
        List<String> members = store.memberIds(groupId);
        boolean dissolved = store.dissolve(groupId, now());
        pending.deleteGroup(groupId);
        if (dissolved) {
            announcer.announce(groupId, null, caller, GroupEvents.dissolved(), List.of(), members);
        }
    }

    /** Whether {@code userId} (a valid id) is a member of the group. */
    boolean isMember(String groupId, String userId) {
        return store.findMember(groupId, userId).isPresent();
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

    static void requireOwner(Membership mine, String action) {
        if (mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can " + action + ".");
        }
    }

    /**
     * The users to add to or invite into a group: distinct, valid (400), at least one (400), none a member
     * already (409, named), all registered (400, the unknown named) and none having blocked {@code actor}
     * (403, named).
     */
    Set<String> newcomers(String groupId, String actor, List<String> userIds) {
        Set<String> users = validUserIds(userIds, "userIds");
        if (users.isEmpty()) {
            throw ApiException.badRequest("userIds must list at least one user.");
        }
        Set<String> already = store.membersAmong(groupId, users);
        if (!already.isEmpty()) {
            throw alreadyMembers(already);
        }
        requireExisting(users);
        refuseBlockers(actor, users);
        return users;
    }

    /** 409 naming the users (sorted) that are members already. */
    static ApiException alreadyMembers(Collection<String> users) {
        return ApiException.conflict("Already members: " + String.join(", ", users.stream().sorted().toList()) + ".");
    }

    /**
     * 403 naming the users who blocked {@code actor}: nobody is added to or invited into a group by someone they
     * blocked. The detail does not say why, as a contact request's does not.
     */
    private void refuseBlockers(String actor, Set<String> users) {
        Set<String> blockers = relations.blockersAmong(users, actor);
        if (!blockers.isEmpty()) {
            throw ApiException.forbidden("You cannot add or invite these users: "
                    + String.join(", ", blockers.stream().sorted().toList()) + ".");
        }
    }

    /** 400 naming the users that are not registered. */
    private void requireExisting(Set<String> users) {
        Set<String> existing = store.existingUsers(users);
        List<String> unknown = users.stream().filter(u -> !existing.contains(u)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("Unknown users: " + String.join(", ", unknown) + ".");
        }
    }

    /** Distinct, valid user ids (400 otherwise); empty for null. */
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

    /** Now, to the millisecond (as stored). */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
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
}
