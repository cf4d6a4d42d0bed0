package io.mqchat.common.contacts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only look-ups of what users chose about each other, for whoever enforces it (the broker for direct
 * messages and presence, chat-api for groups): blocks ({@code blocks}), contacts ({@code contacts}, mutual) and
 * the {@code directMessages} and {@code presence} settings on the users document. Plain driver calls by
 * {@code _id}, one round trip each, nothing cached (callers cache if they must).
 *
 * <p>Default-deny for the caller's decision: an invalid id is never a contact and never has a wider setting than
 * the narrowest; {@link #isBlocked} answers {@code true} for an invalid id (nothing gets through on a bad id).
 */
public final class Relations {

    private final MongoCollection<Document> blocks;
    private final MongoCollection<Document> contacts;
    private final MongoCollection<Document> users;

    public Relations(MongoDatabase db) {
        this.blocks = db.getCollection(StoreSchema.BLOCKS);
        this.contacts = db.getCollection(StoreSchema.CONTACTS);
        this.users = db.getCollection(StoreSchema.USERS);
    }

    /** Whether {@code blocker} blocked {@code blocked}; {@code true} for an invalid id. */
    public boolean isBlocked(String blocker, String blocked) {
        if (!Ids.isValidUserId(blocker) || !Ids.isValidUserId(blocked)) {
            return true;
        }
        return blocks.find(Filters.eq(StoreSchema.Block.ID, StoreSchema.Block.id(blocker, blocked)))
                .projection(Projections.include(StoreSchema.Block.ID)).first() != null;
    }

    /** Whether either of the two blocked the other (one query); {@code true} for an invalid id. */
    public boolean eitherBlocked(String a, String b) {
        if (!Ids.isValidUserId(a) || !Ids.isValidUserId(b)) {
            return true;
        }
        return blocks.find(Filters.in(StoreSchema.Block.ID, List.of(StoreSchema.Block.id(a, b),
                StoreSchema.Block.id(b, a)))).projection(Projections.include(StoreSchema.Block.ID)).first() != null;
    }

    /** Which of {@code blockers} blocked {@code blocked} (one query; invalid ids are left out). */
    public Set<String> blockersAmong(Collection<String> blockers, String blocked) {
        Set<String> result = new HashSet<>();
        if (blockers.isEmpty() || !Ids.isValidUserId(blocked)) {
            return result;
        }
        List<String> ids = blockers.stream().filter(Ids::isValidUserId)
                .map(blocker -> StoreSchema.Block.id(blocker, blocked)).toList();
        for (Document d : blocks.find(Filters.in(StoreSchema.Block.ID, ids))
                .projection(Projections.include(StoreSchema.Block.BLOCKER))) {
            result.add(d.getString(StoreSchema.Block.BLOCKER));
        }
        return result;
    }

    /** Whether the two are contacts (mutual; {@code a}'s entry is read). {@code false} for an invalid id or a == b. */
    public boolean areContacts(String a, String b) {
        if (!Ids.isValidUserId(a) || !Ids.isValidUserId(b) || a.equals(b)) {
            return false;
        }
        return contacts.find(Filters.eq(StoreSchema.ContactEntry.ID, StoreSchema.ContactEntry.id(a, b)))
                .projection(Projections.include(StoreSchema.ContactEntry.ID)).first() != null;
    }

    /** The user's {@code directMessages} setting; empty if there is no such user (or an invalid id). */
    public Optional<DirectMessagePolicy> directMessagePolicy(String user) {
        return userDocument(user, StoreSchema.User.DIRECT_MESSAGES)
                .map(d -> DirectMessagePolicy.ofStored(d.get(StoreSchema.User.DIRECT_MESSAGES)));
    }

    /** The user's {@code presence} setting; empty if there is no such user (or an invalid id). */
    public Optional<PresencePolicy> presencePolicy(String user) {
        return userDocument(user, StoreSchema.User.PRESENCE)
                .map(d -> PresencePolicy.ofStored(d.get(StoreSchema.User.PRESENCE)));
    }

    /** The user's document with just {@code field}; empty if there is no such user. */
    private Optional<Document> userDocument(String user, String field) {
        if (!Ids.isValidUserId(user)) {
            return Optional.empty();
        }
        return Optional.ofNullable(users.find(Filters.eq(StoreSchema.User.ID, user))
                .projection(Projections.include(field)).first());
    }
}
