package io.mqchat.common.groups;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.mqchat.common.schema.StoreSchema.Group;

/**
 * Reads who is in which group, for every component that must decide what a user may see or send: the
 * broker (publish, subscriptions), sync and history. Writes belong to chat-api. Only valid ids reach a
 * filter; an invalid id simply has no groups or members.
 */
public final class GroupDirectory {

    private final MongoCollection<Document> groups;
    private final MongoCollection<Document> members;

    /** A live group with all its members (what the broker caches per group). */
    public record Snapshot(String groupId, boolean mutedAll, Map<String, GroupMember> members) {
    }

    public GroupDirectory(MongoCollection<Document> groups, MongoCollection<Document> members) {
        this.groups = groups;
        this.members = members;
    }

    /** The live group and its members; empty if unknown or dissolved. */
    public Optional<Snapshot> load(String groupId) {
        if (!Ids.isValidGroupId(groupId)) {
            return Optional.empty();
        }
        Document group = groups.find(live(groupId)).projection(Projections.include(Group.MUTED_ALL)).first();
        if (group == null) {
            return Optional.empty();
        }
        Map<String, GroupMember> all = new HashMap<>();
        for (Document d : members.find(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId))) {
            GroupMember m = fromDocument(d);
            all.put(m.userId(), m);
        }
        return Optional.of(new Snapshot(groupId, Boolean.TRUE.equals(group.getBoolean(Group.MUTED_ALL)), Map.copyOf(all)));
    }

    /** The membership of {@code userId} in a live group, if any. */
    public Optional<GroupMember> member(String groupId, String userId) {
        if (!Ids.isValidGroupId(groupId) || !Ids.isValidUserId(userId)) {
            return Optional.empty();
        }
        Document d = members.find(Filters.eq(StoreSchema.GroupMember.ID, StoreSchema.GroupMember.id(groupId, userId)))
                .first();
        return Optional.ofNullable(d).map(GroupDirectory::fromDocument);
    }

    /** The groups of a user: group id → the first seq the user may read there. */
    public Map<String, Long> groupsOf(String userId) {
        Map<String, Long> result = new LinkedHashMap<>();
        if (!Ids.isValidUserId(userId)) {
            return result;
        }
        for (Document d : members.find(Filters.eq(StoreSchema.GroupMember.USER_ID, userId))
                .projection(Projections.include(StoreSchema.GroupMember.GROUP_ID, StoreSchema.GroupMember.FROM_SEQ))) {
            result.put(d.getString(StoreSchema.GroupMember.GROUP_ID), number(d, StoreSchema.GroupMember.FROM_SEQ, 1));
        }
        return result;
    }

    /**
     * Whether two users are members of one group (two queries: a's groups, then b in any of them). Every
     * membership is the member's consent (chat-api adds directly only whom the user's {@code groupAdds}
     * setting admits; everyone else is invited), so this is what presence visibility asks.
     */
    public boolean shareAGroup(String a, String b) {
        Map<String, Long> groupsOfA = groupsOf(a);
        if (groupsOfA.isEmpty() || !Ids.isValidUserId(b)) {
            return false;
        }
        List<String> ids = groupsOfA.keySet().stream().map(g -> StoreSchema.GroupMember.id(g, b)).toList();
        return members.find(Filters.in(StoreSchema.GroupMember.ID, ids))
                .projection(Projections.include(StoreSchema.GroupMember.ID)).limit(1).first() != null;
    }

    /** The members of a live group (user ids, in order); empty if unknown or dissolved. */
    public List<String> memberIds(String groupId) {
        if (!Ids.isValidGroupId(groupId)
                || groups.find(live(groupId)).projection(Projections.include(Group.ID)).first() == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (Document d : members.find(Filters.eq(StoreSchema.GroupMember.GROUP_ID, groupId))
                .projection(Projections.include(StoreSchema.GroupMember.USER_ID))
                .sort(Sorts.ascending(StoreSchema.GroupMember.USER_ID))) {
            ids.add(d.getString(StoreSchema.GroupMember.USER_ID));
        }
        return ids;
    }

    /**
     * A {@code group_members} document as a membership: the one reading of the stored fields (an unknown
     * role reads as a plain member; a missing fromSeq as 1; a missing mute as none).
     */
    public static GroupMember fromDocument(Document d) {
        Date joined = d.getDate(StoreSchema.GroupMember.JOINED_AT);
        long mutedUntil = number(d, StoreSchema.GroupMember.MUTED_UNTIL, -1);
        return new GroupMember(d.getString(StoreSchema.GroupMember.GROUP_ID),
                d.getString(StoreSchema.GroupMember.USER_ID),
                GroupRole.parse(d.getString(StoreSchema.GroupMember.ROLE)).orElse(GroupRole.MEMBER),
                joined == null ? null : joined.toInstant(), number(d, StoreSchema.GroupMember.FROM_SEQ, 1),
                mutedUntil < 0 ? null : Instant.ofEpochMilli(mutedUntil));
    }

    private static Bson live(String groupId) {
        return Filters.and(Filters.eq(Group.ID, groupId), Filters.exists(Group.DISSOLVED_AT, false));
    }

    private static long number(Document d, String field, long absent) {
        Object v = d.get(field);
        return v instanceof Number n ? Math.max(n.longValue(), 0) : absent;
    }
}
