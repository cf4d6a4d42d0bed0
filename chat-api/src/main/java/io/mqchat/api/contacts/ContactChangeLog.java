package io.mqchat.api.contacts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.UniqueInsert;
import io.mqchat.web.ApiException;
import org.bson.Document;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Each user's numbered contact changes ({@code contact_changes}). The change document is its own counter: a new
 * change takes the newest version + 1 and the unique {@code (user, version)} index decides between concurrent
 * writers (the loser reads again and takes the next). So versions have no gaps, and version v + 1 is only written
 * after v is visible: a reader never sees a later change without the earlier ones. Only the newest
 * {@code keptChanges} per user are kept. Reading them is {@link ContactChangeFeed}'s.
 */
@Repository
public class ContactChangeLog {

    private static final int ATTEMPTS = 50;

    private final MongoCollection<Document> changes;
    private final ContactChangeFeed feed;
    private final int kept;

    public ContactChangeLog(MongoDatabase db, ContactsProperties properties) {
        this.changes = db.getCollection(StoreSchema.CONTACT_CHANGES);
        this.feed = new ContactChangeFeed(db);
        this.kept = properties.keptChanges();
    }

    /** Records the change as {@code user}'s next version; the version. 503 if writers kept colliding. */
    public long record(String user, String change, String peer, String message, Instant at) {
        requireValid(user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long version = currentVersion(user) + 1;
            Document d = new Document(StoreSchema.ContactChange.USER, user)
                    .append(StoreSchema.ContactChange.VERSION, version)
                    .append(StoreSchema.ContactChange.CHANGE, change)
                    .append(StoreSchema.ContactChange.PEER, peer)
                    .append(StoreSchema.ContactChange.AT, Date.from(at));
            if (message != null) {
                d.append(StoreSchema.ContactChange.MESSAGE, message);
            }
            if (!UniqueInsert.insertIfAbsent(changes, d)) {
                continue; // another change took this version first
            }
            if (version > kept) {
                changes.deleteMany(Filters.and(Filters.eq(StoreSchema.ContactChange.USER, user),
                        Filters.lte(StoreSchema.ContactChange.VERSION, version - kept)));
            }
            return version;
        }
        throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Your contact list is changing too fast; try again.");
    }

    /** The version of {@code user}'s list: their newest change, 0 before the first. */
    public long currentVersion(String user) {
        return feed.currentVersion(user);
    }

    /** Forgets a deleted account's changes. */
    public void deleteAll(String user) {
        requireValid(user);
        changes.deleteMany(Filters.eq(StoreSchema.ContactChange.USER, user));
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
