package io.mqchat.api.groups;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.UniqueInsert;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@code groups} and {@code group_members} collections (pending invitations and join requests are in
 * {@link PendingJoinStore}). Memberships are read as the broker reads them, through {@link GroupDirectory}.
 * Callers pass validated ids only; every method re-checks so that no unvalidated text ever reaches a Mongo
 * filter.
 */
@Repository
public class GroupStore {

    private final MongoCollection<Document> groups;
    private final MongoCollection<Document> members;
    private final MongoCollection<Document> users;
    private final GroupDirectory directory;

    public GroupStore(MongoDatabase db, GroupDirectory directory) {
        this.groups = db.getCollection(StoreSchema.GROUPS);
        this.members = db.getCollection(StoreSchema.GROUP_MEMBERS);
        this.users = db.getCollection(StoreSchema.USERS);
        this.directory = directory;
    }

    /** Which of these (valid) user ids are registered users. */
    public Set<String> existingUsers(Collection<String> userIds) {
        userIds.forEach(GroupStore::requireUser);
        Set<String> found = new HashSet<>();
        if (userIds.isEmpty()) {
            return found;
        }
        for (Document doc : users.find(Filters.in(StoreSchema.User.ID, userIds))
                .projection(Projections.include(StoreSchema.User.ID))) {
            found.add(doc.getString(StoreSchema.User.ID));
        }
        return found;
    }

    public void insertGroup(Group group) {
        requireGroup(group.groupId());
        requireUser(group.owner());
        Document doc = new Document(StoreSchema.Group.ID, group.groupId())
                .append(StoreSchema.Group.NAME, group.name())
                .append(StoreSchema.Group.OWNER, group.owner())
                .append(StoreSchema.Group.MEMBER_COUNT, group.memberCount())
                .append(StoreSchema.Group.CREATED_AT, Date.from(group.createdAt()))
                .append(StoreSchema.Group.JOIN_POLICY, group.joinPolicy().wire())
                .append(StoreSchema.Group.MEMBERS_INVITE, group.membersInvite())
                .append(StoreSchema.Group.HISTORY, group.history().wire())
                .append(StoreSchema.Group.MUTED_ALL, group.mutedAll());
        if (group.description() != null) {
            doc.append(StoreSchema.Group.DESCRIPTION, group.description());
        }
        if (group.avatarUrl() != null) {
            doc.append(StoreSchema.Group.AVATAR_URL, group.avatarUrl());
        }
        groups.insertOne(doc);
    }

    /** The group, unless unknown or dissolved. */
    public Optional<Group> findGroup(String groupId) {
        requireGroup(groupId);
        return Optional.ofNullable(groups.find(live(groupId)).first()).map(GroupStore::toGroup);
    }

    /**
     * Each of {@code items} whose group is live, paired with that group ({@code pair}), in order: what belongs
     * to a dissolved group drops out. One query for the page.
     */
    public <T, R> List<R> withLiveGroups(List<T> items, Function<T, String> groupIdOf, BiFunction<T, Group, R> pair) {
        List<String> groupIds = items.stream().map(groupIdOf).toList();
        groupIds.forEach(GroupStore::requireGroup);
        Map<String, Group> live = new HashMap<>();
        if (!groupIds.isEmpty()) {
            for (Document doc : groups.find(Filters.and(Filters.in(StoreSchema.Group.ID, groupIds),
                    Filters.exists(StoreSchema.Group.DISSOLVED_AT, false)))) {
                Group group = toGroup(doc);
                live.put(group.groupId(), group);
            }
        }
        List<R> result = new ArrayList<>();
        for (T item : items) {
            Group group = live.get(groupIdOf.apply(item));
            if (group != null) {
                result.add(pair.apply(item, group));
            }
        }
        return result;
    }

    /**
     * Counts {@code n} more members if the group stays within {@code maxSize}; atomic on the group
     * document, so concurrent additions cannot overshoot. False if it would exceed (or the group is gone).
     */
    public boolean reserveSeats(String groupId, int n, int maxSize) {
        requireGroup(groupId);
        return groups.updateOne(Filters.and(live(groupId), Filters.lte(StoreSchema.Group.MEMBER_COUNT, maxSize - n)),
                Updates.inc(StoreSchema.Group.MEMBER_COUNT, n)).getModifiedCount() == 1;
    }

    public void releaseSeats(String groupId, int n) {
        requireGroup(groupId);
        if (n != 0) {
            groups.updateOne(Filters.eq(StoreSchema.Group.ID, groupId), Updates.inc(StoreSchema.Group.MEMBER_COUNT, -n));
        }
    }

    /**
     * Sets the profile and settings in one write: a null value leaves the field; an empty description or
     * avatar removes it.
     */
    public void updateGroup(String groupId, String name, String description, String avatarUrl, JoinPolicy joinPolicy,
                            Boolean membersInvite, HistoryVisibility history) {
        requireGroup(groupId);
        List<Bson> updates = new ArrayList<>();
        if (name != null) {
            updates.add(Updates.set(StoreSchema.Group.NAME, name));
        }
        addOptional(updates, StoreSchema.Group.DESCRIPTION, description);
        addOptional(updates, StoreSchema.Group.AVATAR_URL, avatarUrl);
        if (joinPolicy != null) {
            updates.add(Updates.set(StoreSchema.Group.JOIN_POLICY, joinPolicy.wire()));
        }
        if (membersInvite != null) {
            updates.add(Updates.set(StoreSchema.Group.MEMBERS_INVITE, membersInvite));
        }
        if (history != null) {
            updates.add(Updates.set(StoreSchema.Group.HISTORY, history.wire()));
        }
        if (!updates.isEmpty()) {
            groups.updateOne(live(groupId), Updates.combine(updates));
        }
    }

    /** Mutes or unmutes the whole group; false if it already was so (or the group is gone). */
    public boolean setMutedAll(String groupId, boolean muted) {
        requireGroup(groupId);
        Bson notYet = muted ? Filters.ne(StoreSchema.Group.MUTED_ALL, true) : Filters.eq(StoreSchema.Group.MUTED_ALL, true);
        return groups.updateOne(Filters.and(live(groupId), notYet), Updates.set(StoreSchema.Group.MUTED_ALL, muted))
                .getModifiedCount() == 1;
    }

    private static void addOptional(List<Bson> updates, String field, String value) {
        if (value != null) {
            updates.add(value.isEmpty() ? Updates.unset(field) : Updates.set(field, value));
        }
    }

    public void setOwner(String groupId, String userId) {
        requireGroup(groupId);
        requireUser(userId);
        groups.updateOne(live(groupId), Updates.set(StoreSchema.Group.OWNER, userId));
    }

    /** Marks the group dissolved and drops its memberships; false if it was already gone. */
    public boolean dissolve(String groupId, Instant at) {
        requireGroup(groupId);
        boolean dissolved = groups.updateOne(live(groupId),
                Updates.combine(Updates.set(StoreSchema.Group.DISSOLVED_AT, Date.from(at)),
                        Updates.set(StoreSchema.Group.MEMBER_COUNT, 0))).getModifiedCount() == 1;
        members.deleteMany(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId));
        return dissolved;
    }

    /** Adds a membership; false if the user already is a member (uniqueness rests on {@code _id}). */
    public boolean insertMember(GroupMember member) {
        requireGroup(member.groupId());
        requireUser(member.userId());
        Document doc = new Document(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(member.groupId(), member.userId()))
                .append(StoreSchema.GroupMember.GROUP_ID, member.groupId())
                .append(StoreSchema.GroupMember.USER_ID, member.userId())
                .append(StoreSchema.GroupMember.ROLE, member.role().wire())
                .append(StoreSchema.GroupMember.JOINED_AT, Date.from(member.joinedAt()))
                .append(StoreSchema.GroupMember.FROM_SEQ, member.fromSeq());
        if (member.mutedUntil() != null) {
            doc.append(StoreSchema.GroupMember.MUTED_UNTIL, member.mutedUntil().toEpochMilli());
        }
        return UniqueInsert.insertIfAbsent(members, doc);
    }

    public Optional<GroupMember> findMember(String groupId, String userId) {
        requireGroup(groupId);
        requireUser(userId);
        return directory.member(groupId, userId);
    }

    /** Which of these users are members of the group. */
    public Set<String> membersAmong(String groupId, Collection<String> userIds) {
        requireGroup(groupId);
        userIds.forEach(GroupStore::requireUser);
        Set<String> found = new HashSet<>();
        if (userIds.isEmpty()) {
            return found;
        }
        for (Document doc : members.find(Filters.and(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId),
                Filters.in(StoreSchema.GroupMember.USER_ID, userIds)))) {
            found.add(doc.getString(StoreSchema.GroupMember.USER_ID));
        }
        return found;
    }

    /** All members' user ids, in order (for announcing a dissolution before the memberships go). */
    public List<String> memberIds(String groupId) {
        requireGroup(groupId);
        return directory.memberIds(groupId);
    }

    /** The owner and the admins of a group (who decide on join requests). */
    public List<String> managerIds(String groupId) {
        requireGroup(groupId);
        List<String> ids = new ArrayList<>();
        for (Document doc : members.find(Filters.and(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId),
                        Filters.in(StoreSchema.GroupMember.ROLE, GroupRole.OWNER.wire(), GroupRole.ADMIN.wire())))
                .projection(Projections.include(StoreSchema.GroupMember.USER_ID))) {
            ids.add(doc.getString(StoreSchema.GroupMember.USER_ID));
        }
        return ids;
    }

    /** A page of the group's members, by user id; {@code limit + 1} asked by callers that want "more". */
    public List<GroupMember> members(String groupId, int skip, int limit) {
        requireGroup(groupId);
        return memberPage(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId), StoreSchema.GroupMember.USER_ID,
                skip, limit);
    }

    /** A page of a user's memberships, by group id. */
    public List<GroupMember> memberships(String userId, int skip, int limit) {
        requireUser(userId);
        return memberPage(Filters.eq(StoreSchema.GroupMember.USER_ID, userId), StoreSchema.GroupMember.GROUP_ID,
                skip, limit);
    }

    private List<GroupMember> memberPage(Bson filter, String sortField, int skip, int limit) {
        List<GroupMember> page = new ArrayList<>();
        for (Document doc : members.find(filter).sort(Sorts.ascending(sortField)).skip(skip).limit(limit)) {
            page.add(GroupDirectory.fromDocument(doc));
        }
        return page;
    }

    /**
     * Who takes a group over from its leaving owner: the admin who joined first, else the member who joined
     * first (ties by user id); empty if nobody else is in the group.
     */
    public Optional<String> successor(String groupId, String leavingOwner) {
        requireGroup(groupId);
        requireUser(leavingOwner);
        for (GroupRole role : List.of(GroupRole.ADMIN, GroupRole.MEMBER)) {
            Document doc = members.find(Filters.and(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId),
                            Filters.eq(StoreSchema.GroupMember.ROLE, role.wire()),
                            Filters.ne(StoreSchema.GroupMember.USER_ID, leavingOwner)))
                    .sort(Sorts.ascending(StoreSchema.GroupMember.JOINED_AT, StoreSchema.GroupMember.USER_ID))
                    .projection(Projections.include(StoreSchema.GroupMember.USER_ID)).first();
            if (doc != null) {
                return Optional.of(doc.getString(StoreSchema.GroupMember.USER_ID));
            }
        }
        return Optional.empty();
    }

    public boolean deleteMember(String groupId, String userId) {
        requireGroup(groupId);
        requireUser(userId);
        return members.deleteOne(Filters.eq(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, userId)))
                .getDeletedCount() == 1;
    }

    public boolean setRole(String groupId, String userId, GroupRole role) {
        requireGroup(groupId);
        requireUser(userId);
        return members.updateOne(Filters.eq(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, userId)),
                Updates.set(StoreSchema.GroupMember.ROLE, role.wire())).getMatchedCount() == 1;
    }

    /** Sets (or with null lifts) a member's mute; false if not a member. */
    public boolean setMutedUntil(String groupId, String userId, Instant until) {
        requireGroup(groupId);
        requireUser(userId);
        Bson update = until == null ? Updates.unset(StoreSchema.GroupMember.MUTED_UNTIL)
                : Updates.set(StoreSchema.GroupMember.MUTED_UNTIL, until.toEpochMilli());
        return members.updateOne(Filters.eq(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, userId)),
                update).getMatchedCount() == 1;
    }

    private static Bson live(String groupId) {
        return Filters.and(Filters.eq(StoreSchema.Group.ID, groupId), Filters.exists(StoreSchema.Group.DISSOLVED_AT, false));
    }

    private static Group toGroup(Document doc) {
        Date created = doc.getDate(StoreSchema.Group.CREATED_AT);
        Number count = doc.get(StoreSchema.Group.MEMBER_COUNT, Number.class);
        return new Group(doc.getString(StoreSchema.Group.ID), doc.getString(StoreSchema.Group.NAME),
                doc.getString(StoreSchema.Group.DESCRIPTION), doc.getString(StoreSchema.Group.AVATAR_URL),
                doc.getString(StoreSchema.Group.OWNER), count == null ? 0 : count.intValue(),
                created == null ? null : created.toInstant(),
                JoinPolicy.parse(doc.getString(StoreSchema.Group.JOIN_POLICY)).orElse(JoinPolicy.DEFAULT),
                !Boolean.FALSE.equals(doc.getBoolean(StoreSchema.Group.MEMBERS_INVITE)),
                HistoryVisibility.parse(doc.getString(StoreSchema.Group.HISTORY)).orElse(HistoryVisibility.DEFAULT),
                Boolean.TRUE.equals(doc.getBoolean(StoreSchema.Group.MUTED_ALL)));
    }

    /** Stores accept validated ids only: a slip is a bug, never a query. */
    static void requireGroup(String groupId) {
        if (!Ids.isValidGroupId(groupId)) {
            throw new IllegalArgumentException("unvalidated group id passed to the store");
        }
    }

    static void requireUser(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
