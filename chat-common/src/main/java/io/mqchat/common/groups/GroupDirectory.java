package io.mqchat.common.groups;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.protocol.Ids;
import org.bson.Document;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.mqchat.common.schema.StoreSchema.Group;
import static io.mqchat.common.schema.StoreSchema.GroupMember;

/**
 * Reads who is in which group, for every component that must decide what a user may see or send: the
 * broker (publish, subscriptions), sync and history. Writes belong to chat-api. Only valid ids reach a
 * filter; an invalid id simply has no groups or members.
 */
public final class GroupDirectory {

    /** Roles as stored. */
    public static final String OWNER = "owner";
    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";

    private final MongoCollection<Document> groups;
    private final MongoCollection<Document> members;

    /**
     * One membership.
     *
     * @param fromSeq     the first seq of the group conversation the member may read (1: everything)
     * @param mutedUntil  epoch ms until which the member may not speak (0: not muted)
     */
    public record Member(String groupId, String userId, String role, long fromSeq, long mutedUntil) {

        public boolean isAdmin() {
            return OWNER.equals(role) || ADMIN.equals(role);
        }

        public boolean mutedAt(long now) {
            return mutedUntil > now;
        }
    }

    /** A live group with all its members (what the broker caches per group). */
    public record Snapshot(String groupId, boolean mutedAll, Map<String, Member> members) {
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
        Document group = groups.find(Filters.and(Filters.eq(Group.ID, groupId),
                Filters.exists(Group.DISSOLVED_AT, false))).projection(Projections.include(Group.MUTED_ALL)).first();
        if (group == null) {
            return Optional.empty();
        }
        Map<String, Member> all = new HashMap<>();
        for (Document d : members.find(Filters.eq(GroupMember.GROUP_ID, groupId))) {
            Member m = toMember(d);
            all.put(m.userId(), m);
        }
        return Optional.of(new Snapshot(groupId, Boolean.TRUE.equals(group.getBoolean(Group.MUTED_ALL)), Map.copyOf(all)));
    }

    /** The membership of {@code userId} in a live group, if any. */
    public Optional<Member> member(String groupId, String userId) {
        if (!Ids.isValidGroupId(groupId) || !Ids.isValidUserId(userId)) {
            return Optional.empty();
        }
        Document d = members.find(Filters.eq(GroupMember.ID, GroupMember.id(groupId, userId))).first();
        return Optional.ofNullable(d).map(GroupDirectory::toMember);
    }

    /** The groups of a user: group id → the first seq the user may read there. */
    public Map<String, Long> groupsOf(String userId) {
        Map<String, Long> result = new LinkedHashMap<>();
        if (!Ids.isValidUserId(userId)) {
            return result;
        }
        for (Document d : members.find(Filters.eq(GroupMember.USER_ID, userId))
                .projection(Projections.include(GroupMember.GROUP_ID, GroupMember.FROM_SEQ))) {
            result.put(d.getString(GroupMember.GROUP_ID), number(d, GroupMember.FROM_SEQ, 1));
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
        List<String> ids = groupsOfA.keySet().stream().map(g -> GroupMember.id(g, b)).toList();
        return members.find(Filters.in(GroupMember.ID, ids)).projection(Projections.include(GroupMember.ID))
                .limit(1).first() != null;
    }

    /** The members of a live group (user ids); empty if unknown or dissolved. */
    public List<String> memberIds(String groupId) {
        return load(groupId).map(s -> new ArrayList<>(s.members().keySet())).map(List::copyOf).orElse(List.of());
    }

    private static Member toMember(Document d) {
        return new Member(d.getString(GroupMember.GROUP_ID), d.getString(GroupMember.USER_ID),
                d.getString(GroupMember.ROLE), number(d, GroupMember.FROM_SEQ, 1), number(d, GroupMember.MUTED_UNTIL, 0));
    }

    private static long number(Document d, String field, long absent) {
        Object v = d.get(field);
        return v instanceof Number n ? Math.max(n.longValue(), 0) : absent;
    }
}
