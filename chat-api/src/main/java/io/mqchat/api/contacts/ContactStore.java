package io.mqchat.api.contacts;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.UniqueInsert;
import org.bson.Document;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The stored relations between users: {@code contacts} (both directions of a pair are written together),
 * {@code contact_requests} and {@code blocks}, and what kind of account a user is. Every id passed in is a
 * validated user id; the store refuses anything else rather than put it into a filter.
 */
@Repository
public class ContactStore {

    /** A contact as its owner sees it. */
    public record Contact(String userId, Instant since) {
    }

    /** A pending request from {@code from} to {@code to}. */
    public record Request(String from, String to, String message, Instant createdAt) {
    }

    /** A user the owner blocked. */
    public record Blocked(String userId, Instant at) {
    }

    /** What a registered account is. */
    public enum AccountKind { PERSON, SERVICE }

    private final MongoCollection<Document> users;
    private final MongoCollection<Document> contacts;
    private final MongoCollection<Document> requests;
    private final MongoCollection<Document> blocks;

    public ContactStore(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
        this.contacts = db.getCollection(StoreSchema.CONTACTS);
        this.requests = db.getCollection(StoreSchema.CONTACT_REQUESTS);
        this.blocks = db.getCollection(StoreSchema.BLOCKS);
    }

    /** The kind of a registered account; empty if there is none (never registered, or deleted). */
    public Optional<AccountKind> accountKind(String userId) {
        requireValid(userId);
        Document d = users.find(Filters.eq(StoreSchema.User.ID, userId))
                .projection(Projections.include(StoreSchema.User.KIND)).first();
        if (d == null) {
            return Optional.empty();
        }
        return Optional.of(StoreSchema.User.KIND_SERVICE.equals(d.get(StoreSchema.User.KIND))
                ? AccountKind.SERVICE : AccountKind.PERSON);
    }

    // ---- contacts

    public boolean isContact(String user, String contact) {
        requireValid(user, contact);
        return contacts.find(Filters.eq(StoreSchema.ContactEntry.ID, StoreSchema.ContactEntry.id(user, contact)))
                .projection(Projections.include(StoreSchema.ContactEntry.ID)).first() != null;
    }

    /** Writes both directions; true if either was new (false: they were contacts already). */
    public boolean insertContacts(String a, String b, Instant since) {
        requireValid(a, b);
        return upsertContact(a, b, since) | upsertContact(b, a, since);
    }

    private boolean upsertContact(String user, String contact, Instant since) {
        try {
            return contacts.updateOne(Filters.eq(StoreSchema.ContactEntry.ID, StoreSchema.ContactEntry.id(user, contact)),
                    Updates.combine(Updates.setOnInsert(StoreSchema.ContactEntry.USER, user),
                            Updates.setOnInsert(StoreSchema.ContactEntry.CONTACT, contact),
                            Updates.setOnInsert(StoreSchema.ContactEntry.SINCE, Date.from(since))),
                    new UpdateOptions().upsert(true)).getUpsertedId() != null;
        } catch (MongoWriteException e) {
            if (UniqueInsert.isDuplicateKey(e)) {
                return false; // a concurrent upsert of the same pair won
            }
            throw e;
        }
    }

    /** Deletes both directions; true if {@code user}'s entry was there. */
    public boolean deleteContacts(String user, String contact) {
        requireValid(user, contact);
        boolean mine = contacts.deleteOne(Filters.eq(StoreSchema.ContactEntry.ID,
                StoreSchema.ContactEntry.id(user, contact))).getDeletedCount() == 1;
        boolean theirs = contacts.deleteOne(Filters.eq(StoreSchema.ContactEntry.ID,
                StoreSchema.ContactEntry.id(contact, user))).getDeletedCount() == 1;
        return mine || theirs;
    }

    /** A page of {@code user}'s contacts by id. */
    public List<Contact> contactsOf(String user, int skip, int limit) {
        requireValid(user);
        List<Contact> result = new ArrayList<>();
        for (Document d : contacts.find(Filters.eq(StoreSchema.ContactEntry.USER, user))
                .sort(Sorts.ascending(StoreSchema.ContactEntry.USER, StoreSchema.ContactEntry.CONTACT))
                .skip(skip).limit(limit)) {
            result.add(new Contact(d.getString(StoreSchema.ContactEntry.CONTACT),
                    d.getDate(StoreSchema.ContactEntry.SINCE).toInstant()));
        }
        return result;
    }

    /** Every contact id of {@code user} (account deletion). */
    public List<String> allContactIds(String user) {
        requireValid(user);
        List<String> result = new ArrayList<>();
        for (Document d : contacts.find(Filters.eq(StoreSchema.ContactEntry.USER, user))
                .projection(Projections.include(StoreSchema.ContactEntry.CONTACT))) {
            result.add(d.getString(StoreSchema.ContactEntry.CONTACT));
        }
        return result;
    }

    // ---- requests

    public Optional<Request> findRequest(String from, String to) {
        requireValid(from, to);
        return Optional.ofNullable(requests.find(Filters.eq(StoreSchema.ContactRequest.ID,
                StoreSchema.ContactRequest.id(from, to))).first()).map(ContactStore::request);
    }

    /** False if a request from {@code from} to {@code to} is pending already. */
    public boolean insertRequest(Request request) {
        requireValid(request.from(), request.to());
        Document d = new Document(StoreSchema.ContactRequest.ID, StoreSchema.ContactRequest.id(request.from(), request.to()))
                .append(StoreSchema.ContactRequest.FROM, request.from())
                .append(StoreSchema.ContactRequest.TO, request.to())
                .append(StoreSchema.ContactRequest.CREATED_AT, Date.from(request.createdAt()));
        if (request.message() != null) {
            d.append(StoreSchema.ContactRequest.MESSAGE, request.message());
        }
        return UniqueInsert.insertIfAbsent(requests, d);
    }

    /** Deletes the pending request; true if this call deleted it (so exactly one caller acts on it). */
    public boolean deleteRequest(String from, String to) {
        requireValid(from, to);
        return requests.deleteOne(Filters.eq(StoreSchema.ContactRequest.ID, StoreSchema.ContactRequest.id(from, to)))
                .getDeletedCount() == 1;
    }

    public long pendingFrom(String from) {
        requireValid(from);
        return requests.countDocuments(Filters.eq(StoreSchema.ContactRequest.FROM, from));
    }

    /** A page of the requests to {@code user} (incoming) or from them, oldest first. */
    public List<Request> requestsOf(String user, boolean incoming, int skip, int limit) {
        requireValid(user);
        String field = incoming ? StoreSchema.ContactRequest.TO : StoreSchema.ContactRequest.FROM;
        List<Request> result = new ArrayList<>();
        for (Document d : requests.find(Filters.eq(field, user))
                .sort(Sorts.ascending(field, StoreSchema.ContactRequest.CREATED_AT, StoreSchema.ContactRequest.ID))
                .skip(skip).limit(limit)) {
            result.add(request(d));
        }
        return result;
    }

    private static Request request(Document d) {
        return new Request(d.getString(StoreSchema.ContactRequest.FROM), d.getString(StoreSchema.ContactRequest.TO),
                d.getString(StoreSchema.ContactRequest.MESSAGE), d.getDate(StoreSchema.ContactRequest.CREATED_AT).toInstant());
    }

    // ---- blocks

    public boolean isBlocked(String blocker, String blocked) {
        requireValid(blocker, blocked);
        return blocks.find(Filters.eq(StoreSchema.Block.ID, StoreSchema.Block.id(blocker, blocked)))
                .projection(Projections.include(StoreSchema.Block.ID)).first() != null;
    }

    /** False if the block existed already. */
    public boolean insertBlock(String blocker, String blocked, Instant at) {
        requireValid(blocker, blocked);
        return UniqueInsert.insertIfAbsent(blocks, new Document(StoreSchema.Block.ID, StoreSchema.Block.id(blocker, blocked))
                .append(StoreSchema.Block.BLOCKER, blocker).append(StoreSchema.Block.BLOCKED, blocked)
                .append(StoreSchema.Block.AT, Date.from(at)));
    }

    /** True if there was a block to delete. */
    public boolean deleteBlock(String blocker, String blocked) {
        requireValid(blocker, blocked);
        return blocks.deleteOne(Filters.eq(StoreSchema.Block.ID, StoreSchema.Block.id(blocker, blocked)))
                .getDeletedCount() == 1;
    }

    public long blockCount(String blocker) {
        requireValid(blocker);
        return blocks.countDocuments(Filters.eq(StoreSchema.Block.BLOCKER, blocker));
    }

    /** A page of {@code blocker}'s blocks by blocked id. */
    public List<Blocked> blocksOf(String blocker, int skip, int limit) {
        requireValid(blocker);
        List<Blocked> result = new ArrayList<>();
        for (Document d : blocks.find(Filters.eq(StoreSchema.Block.BLOCKER, blocker))
                .sort(Sorts.ascending(StoreSchema.Block.BLOCKER, StoreSchema.Block.BLOCKED)).skip(skip).limit(limit)) {
            result.add(new Blocked(d.getString(StoreSchema.Block.BLOCKED), d.getDate(StoreSchema.Block.AT).toInstant()));
        }
        return result;
    }

    /** Deletes the blocks {@code blocker} made (account deletion). */
    public void deleteBlocksBy(String blocker) {
        requireValid(blocker);
        blocks.deleteMany(Filters.eq(StoreSchema.Block.BLOCKER, blocker));
    }

    private static void requireValid(String... userIds) {
        for (String id : userIds) {
            if (!Ids.isValidUserId(id)) {
                throw new IllegalArgumentException("unvalidated user id passed to the store");
            }
        }
    }
}
