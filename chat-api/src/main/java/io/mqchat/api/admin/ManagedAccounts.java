package io.mqchat.api.admin;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * What admins manage on the {@code users} documents: the stored admin role and the ban. Callers pass
 * validated ids only; this class re-checks, so that no request text reaches a Mongo filter unvalidated.
 */
@Repository
public class ManagedAccounts {

    /** A ban as stored on the user document; {@code until} null = permanent. */
    public record StoredBan(String reason, Instant until, String by, Instant at) {

        boolean activeAt(Instant now) {
            return until == null || until.isAfter(now);
        }
    }

    /** A user as the admin API sees it (never the password hash). */
    public record Account(String userId, Instant createdAt, boolean adminStored, StoredBan ban) {
    }

    private final MongoCollection<Document> users;
    private final MongoCollection<Document> memberships;

    public ManagedAccounts(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
        this.memberships = db.getCollection(StoreSchema.GROUP_MEMBERS);
    }

    public Optional<Account> find(String userId) {
        requireValid(userId);
        return Optional.ofNullable(users.find(Filters.eq(StoreSchema.User.ID, userId)).projection(VIEW).first())
                .map(ManagedAccounts::account);
    }

    /** Those of these (valid) user ids that no account has, in their order. */
    public List<String> unregistered(List<String> userIds) {
        userIds.forEach(ManagedAccounts::requireValid);
        java.util.Set<String> found = new java.util.HashSet<>();
        for (Document d : users.find(Filters.in(StoreSchema.User.ID, userIds)).projection(Projections.include(StoreSchema.User.ID))) {
            found.add(d.getString(StoreSchema.User.ID));
        }
        return userIds.stream().filter(id -> !found.contains(id)).toList();
    }

    /** Whether the admin role is stored for the user (configured admins are not). */
    public boolean isAdminStored(String userId) {
        requireValid(userId);
        return users.countDocuments(Filters.and(Filters.eq(StoreSchema.User.ID, userId),
                Filters.eq(StoreSchema.User.ADMIN, true))) > 0;
    }

    /** @return false if there is no such user */
    public boolean setAdmin(String userId, boolean admin) {
        requireValid(userId);
        Bson update = admin ? Updates.set(StoreSchema.User.ADMIN, true) : Updates.unset(StoreSchema.User.ADMIN);
        return users.updateOne(Filters.eq(StoreSchema.User.ID, userId), update).getMatchedCount() > 0;
    }

    /** @return false if there is no such user */
    public boolean ban(String userId, StoredBan ban) {
        requireValid(userId);
        Document doc = new Document("reason", ban.reason()).append("by", ban.by()).append("at", Date.from(ban.at()));
        if (ban.until() != null) {
            doc.append("until", Date.from(ban.until()));
        }
        return users.updateOne(Filters.eq(StoreSchema.User.ID, userId), Updates.set(StoreSchema.User.BAN, doc))
                .getMatchedCount() > 0;
    }

    /** @return false if there is no such user */
    public boolean lift(String userId) {
        requireValid(userId);
        return users.updateOne(Filters.eq(StoreSchema.User.ID, userId), Updates.unset(StoreSchema.User.BAN))
                .getMatchedCount() > 0;
    }

    /** The user's ban while it lasts. */
    public Optional<StoredBan> activeBan(String userId, Instant now) {
        return find(userId).map(Account::ban).filter(b -> b.activeAt(now));
    }

    /**
     * Users whose id starts with {@code prefix} and comes after {@code after} (null: from the first), by id.
     * The prefix is a range on {@code _id} ({@code [prefix, prefix + U+FFFF)}), not a regex: its characters
     * mean only themselves.
     */
    public List<Account> page(String prefix, String after, int limit) {
        if (!Ids.isValidUserIdPrefix(prefix)) {
            throw new IllegalArgumentException("unvalidated prefix passed to the store");
        }
        List<Bson> filters = new ArrayList<>();
        if (!prefix.isEmpty()) {
            filters.add(Filters.gte(StoreSchema.User.ID, prefix));
            filters.add(Filters.lt(StoreSchema.User.ID, prefix + '\uffff'));
        }
        if (after != null) {
            requireValid(after);
            filters.add(Filters.gt(StoreSchema.User.ID, after));
        }
        List<Account> out = new ArrayList<>();
        users.find(filters.isEmpty() ? new Document() : Filters.and(filters)).projection(VIEW)
                .sort(Sorts.ascending(StoreSchema.User.ID)).limit(limit)
                .forEach(doc -> out.add(account(doc)));
        return out;
    }

    /** How many groups the user is a member of (dissolving a group removes its memberships). */
    public long groupCount(String userId) {
        requireValid(userId);
        return memberships.countDocuments(Filters.eq(StoreSchema.GroupMember.USER_ID, userId));
    }

    private static final Bson VIEW = Projections.include(StoreSchema.User.ID, StoreSchema.User.CREATED_AT,
            StoreSchema.User.ADMIN, StoreSchema.User.BAN);

    private static Account account(Document doc) {
        Date created = doc.getDate(StoreSchema.User.CREATED_AT);
        Document ban = doc.get(StoreSchema.User.BAN, Document.class);
        return new Account(doc.getString(StoreSchema.User.ID), created == null ? null : created.toInstant(),
                Boolean.TRUE.equals(doc.getBoolean(StoreSchema.User.ADMIN)),
                ban == null ? null : new StoredBan(ban.getString("reason"), instant(ban.getDate("until")),
                        ban.getString("by"), instant(ban.getDate("at"))));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
