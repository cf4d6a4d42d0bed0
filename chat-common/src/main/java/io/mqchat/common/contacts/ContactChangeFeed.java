package io.mqchat.common.contacts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading a user's numbered contact changes ({@code contact_changes}, written by chat-api): what a device that was
 * offline asks for with the version it last saw, over REST ({@code GET /api/v1/contacts?sinceVersion=}) and over
 * MQTT ({@code op: contacts}). One implementation for both, so both give the same answer.
 *
 * <p>Versions have no gaps (see chat-api's change log), so the changes after {@code since} up to the current version
 * are exactly what the device missed, unless some were no longer kept or {@code since} is not a version of this
 * list: then the device must reload the whole list ({@link Reload}).
 */
public final class ContactChangeFeed {

    /** Changes per page: default and most. */
    public static final int DEFAULT_LIMIT = 200;
    public static final int MAX_LIMIT = 500;

    /** One recorded change of a user's list. */
    public record Change(long version, String change, String peer, String message, Instant at) {

        /** As an MQTT answer carries it. */
        public ServerEvent.ContactChanges.Change event() {
            return new ServerEvent.ContactChanges.Change(version, change, peer, message, at.toEpochMilli());
        }
    }

    /** What a request for the changes since a version came to. */
    public sealed interface Outcome {
    }

    /** The changes after the asked version, in order; ask again from {@code next} while {@code hasMore}. */
    public record Page(long version, List<Change> changes, long next, boolean hasMore) implements Outcome {
    }

    /** The changes cannot be given: {@code why}; the device reloads the whole list, which carries its version. */
    public record Reload(String why) implements Outcome {
    }

    private final MongoCollection<Document> changes;

    public ContactChangeFeed(MongoDatabase db) {
        this.changes = db.getCollection(StoreSchema.CONTACT_CHANGES);
    }

    /**
     * The changes of {@code user}'s list after version {@code since}, at most {@code limit}.
     *
     * @throws IllegalArgumentException for an invalid user id, a negative {@code since} or a limit outside
     *                                  1..{@link #MAX_LIMIT} (callers check what clients send first)
     */
    public Outcome since(String user, long since, int limit) {
        if (since < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("since must be >= 0 and limit 1-" + MAX_LIMIT);
        }
        long version = currentVersion(user);
        if (since > version) {
            return new Reload("sinceVersion " + since + " is newer than your contact list (version " + version + ")");
        }
        if (since < version && oldestKept(user).orElse(Long.MAX_VALUE) > since + 1) {
            return new Reload("changes after version " + since + " are no longer kept");
        }
        List<Change> found = between(user, since, version, limit + 1);
        boolean more = found.size() > limit;
        List<Change> page = more ? List.copyOf(found.subList(0, limit)) : found;
        long next = page.isEmpty() ? since : page.get(page.size() - 1).version();
        return new Page(version, page, next, more);
    }

    /** The version of {@code user}'s list: their newest change, 0 before the first. */
    public long currentVersion(String user) {
        requireValid(user);
        return edge(user, false).orElse(0L);
    }

    /** The oldest version still kept; empty when nothing is. */
    public Optional<Long> oldestKept(String user) {
        requireValid(user);
        return edge(user, true);
    }

    /** Up to {@code limit} changes after {@code after} up to {@code upTo}, in version order. */
    public List<Change> between(String user, long after, long upTo, int limit) {
        requireValid(user);
        List<Change> result = new ArrayList<>();
        for (Document d : changes.find(Filters.and(Filters.eq(StoreSchema.ContactChange.USER, user),
                        Filters.gt(StoreSchema.ContactChange.VERSION, after),
                        Filters.lte(StoreSchema.ContactChange.VERSION, upTo)))
                .sort(Sorts.ascending(StoreSchema.ContactChange.USER, StoreSchema.ContactChange.VERSION)).limit(limit)) {
            result.add(new Change(((Number) d.get(StoreSchema.ContactChange.VERSION)).longValue(),
                    d.getString(StoreSchema.ContactChange.CHANGE), d.getString(StoreSchema.ContactChange.PEER),
                    d.getString(StoreSchema.ContactChange.MESSAGE), d.getDate(StoreSchema.ContactChange.AT).toInstant()));
        }
        return result;
    }

    private Optional<Long> edge(String user, boolean oldest) {
        Document d = changes.find(Filters.eq(StoreSchema.ContactChange.USER, user))
                .sort(oldest ? Sorts.ascending(StoreSchema.ContactChange.USER, StoreSchema.ContactChange.VERSION)
                        : Sorts.descending(StoreSchema.ContactChange.USER, StoreSchema.ContactChange.VERSION))
                .projection(Projections.include(StoreSchema.ContactChange.VERSION)).limit(1).first();
        return d == null ? Optional.empty() : Optional.of(((Number) d.get(StoreSchema.ContactChange.VERSION)).longValue());
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
