package io.mqchat.api.groups;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.UniqueInsert;
import org.bson.Document;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code group_invitations} and {@code group_join_requests} collections: at most one pending record of
 * each kind per (group, user), {@code _id = {groupId}|{userId}}. Every method re-checks its ids so that no
 * unvalidated text reaches a Mongo filter.
 */
@Repository
public class PendingJoinStore {

    /** Which of the two pending records. */
    public enum Kind { INVITATION, JOIN_REQUEST }

    private final MongoCollection<Document> invitations;
    private final MongoCollection<Document> joinRequests;

    public PendingJoinStore(MongoDatabase db) {
        this.invitations = db.getCollection(StoreSchema.GROUP_INVITATIONS);
        this.joinRequests = db.getCollection(StoreSchema.GROUP_JOIN_REQUESTS);
    }

    /** Stores a pending record; false if one of this kind was already pending (it is left as it was). */
    public boolean insert(Kind kind, PendingJoin pending) {
        requireGroup(pending.groupId());
        requireUser(pending.userId());
        Document doc = new Document(StoreSchema.GroupPending.ID, id(pending.groupId(), pending.userId()))
                .append(StoreSchema.GroupPending.GROUP_ID, pending.groupId())
                .append(StoreSchema.GroupPending.USER_ID, pending.userId())
                .append(StoreSchema.GroupPending.BY, pending.by())
                .append(StoreSchema.GroupPending.CREATED_AT, Date.from(pending.createdAt()));
        return UniqueInsert.insertIfAbsent(collection(kind), doc);
    }

    public Optional<PendingJoin> find(Kind kind, String groupId, String userId) {
        requireGroup(groupId);
        requireUser(userId);
        return Optional.ofNullable(collection(kind).find(Filters.eq(StoreSchema.GroupPending.ID, id(groupId, userId)))
                .first()).map(PendingJoinStore::toPending);
    }

    /** Which of these users have a pending join request to the group (one query). */
    public Set<String> joinRequestersAmong(String groupId, Collection<String> userIds) {
        requireGroup(groupId);
        userIds.forEach(PendingJoinStore::requireUser);
        Set<String> result = new HashSet<>();
        if (userIds.isEmpty()) {
            return result;
        }
        for (Document doc : joinRequests.find(Filters.in(StoreSchema.GroupPending.ID,
                userIds.stream().map(u -> id(groupId, u)).toList()))) {
            result.add(doc.getString(StoreSchema.GroupPending.USER_ID));
        }
        return result;
    }

    /** False if none was pending. */
    public boolean delete(Kind kind, String groupId, String userId) {
        requireGroup(groupId);
        requireUser(userId);
        return collection(kind).deleteOne(Filters.eq(StoreSchema.GroupPending.ID, id(groupId, userId)))
                .getDeletedCount() == 1;
    }

    /** Drops both the invitation and the join request of a user who became a member. */
    public void deleteBoth(String groupId, String userId) {
        delete(Kind.INVITATION, groupId, userId);
        delete(Kind.JOIN_REQUEST, groupId, userId);
    }

    /** Drops everything pending for a group (it was dissolved). */
    public void deleteGroup(String groupId) {
        requireGroup(groupId);
        invitations.deleteMany(Filters.eq(StoreSchema.GroupPending.GROUP_ID, groupId));
        joinRequests.deleteMany(Filters.eq(StoreSchema.GroupPending.GROUP_ID, groupId));
    }

    /** Drops the user's own invitations and join requests, in every group (the account was deleted). */
    public void deleteUser(String userId) {
        requireUser(userId);
        invitations.deleteMany(Filters.eq(StoreSchema.GroupPending.USER_ID, userId));
        joinRequests.deleteMany(Filters.eq(StoreSchema.GroupPending.USER_ID, userId));
    }

    /** A page of a user's pending invitations, oldest first. */
    public List<PendingJoin> invitationsOf(String userId, int skip, int limit) {
        requireUser(userId);
        return page(invitations, Filters.eq(StoreSchema.GroupPending.USER_ID, userId), skip, limit);
    }

    /** A page of a group's pending join requests, oldest first. */
    public List<PendingJoin> joinRequestsOf(String groupId, int skip, int limit) {
        requireGroup(groupId);
        return page(joinRequests, Filters.eq(StoreSchema.GroupPending.GROUP_ID, groupId), skip, limit);
    }

    private static List<PendingJoin> page(MongoCollection<Document> collection, org.bson.conversions.Bson filter,
                                          int skip, int limit) {
        List<PendingJoin> page = new ArrayList<>();
        for (Document doc : collection.find(filter)
                .sort(Sorts.ascending(StoreSchema.GroupPending.CREATED_AT, StoreSchema.GroupPending.ID))
                .skip(skip).limit(limit)) {
            page.add(toPending(doc));
        }
        return page;
    }

    private MongoCollection<Document> collection(Kind kind) {
        return kind == Kind.INVITATION ? invitations : joinRequests;
    }

    private static String id(String groupId, String userId) {
        return StoreSchema.GroupPending.id(groupId, userId);
    }

    private static PendingJoin toPending(Document doc) {
        Date created = doc.getDate(StoreSchema.GroupPending.CREATED_AT);
        return new PendingJoin(doc.getString(StoreSchema.GroupPending.GROUP_ID),
                doc.getString(StoreSchema.GroupPending.USER_ID), doc.getString(StoreSchema.GroupPending.BY),
                created == null ? null : created.toInstant());
    }

    private static void requireGroup(String groupId) {
        GroupStore.requireGroup(groupId);
    }

    private static void requireUser(String userId) {
        GroupStore.requireUser(userId);
    }
}
