package io.mqchat.api.contacts;

import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent.Contact;
import io.mqchat.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Contact requests and contacts. Contacts are mutual: an accepted request (or two users asking each other) writes
 * both directions, removing one removes both. Every change is recorded for both users as the next version of their
 * own list and told to all their devices ({@link ContactChanges}), so a device catches up with {@code sinceVersion}.
 *
 * <p>Refused: yourself and reserved ids (400), unknown or deleted accounts (404), service accounts (400: bots are
 * not contacts), users you blocked (409: unblock first) and users who blocked you (403, with a detail that does
 * not say why). Asking again while your request is pending changes nothing (200, the first request stands).
 * New requests are rate-limited per user and at most {@code maxPendingRequests} may wait at once.
 */
@Service
public class ContactService {

    static final int MAX_MESSAGE = 200;
    /** Neutral on purpose: a blocked user is not told that they are blocked. */
    static final String CANNOT_REQUEST = "You cannot send a contact request to this user.";
    private static final String NO_INCOMING = "You have no pending contact request from this user.";
    private static final String NO_OUTGOING = "You have no pending contact request to this user.";

    private final ContactStore store;
    private final ContactChanges changes;
    private final ContactChangeLog changeLog;
    private final ContactRateLimits limits;
    private final ContactsProperties properties;
    private final ContactChangeFeed feed;

    public ContactService(ContactStore store, ContactChanges changes, ContactChangeLog changeLog,
                          ContactChangeFeed feed, ContactRateLimits limits, ContactsProperties properties) {
        this.feed = feed;
        this.store = store;
        this.changes = changes;
        this.changeLog = changeLog;
        this.limits = limits;
        this.properties = properties;
    }

    /** What a contact request ended in: still pending (new or as it was), or contacts at once (they had asked you). */
    public record Outcome(ContactStore.Request pending, ContactStore.Contact contact, boolean created) {
    }

    /** One page of a user's contacts with the list's version (read first, so syncing from it misses nothing). */
    public record ContactList(long version, List<ContactStore.Contact> contacts) {
    }

    /** Changes after a version: {@code version} is the list's current one, {@code next} where to continue from. */
    public Outcome request(String caller, String target, String message) {
        requirePeer(caller, target);
        String note = checkedMessage(message);
        ContactStore.AccountKind kind = store.accountKind(target)
                .orElseThrow(() -> ApiException.notFound("No such user."));
        ContactStore.AccountKind mine = store.accountKind(caller)
                .orElseThrow(() -> ApiException.notFound("Your account no longer exists."));
        if (kind == ContactStore.AccountKind.SERVICE || mine == ContactStore.AccountKind.SERVICE) {
            throw ApiException.badRequest("Service accounts cannot be contacts.");
        }
        if (store.isBlocked(caller, target)) {
            throw ApiException.conflict("You blocked this user; unblock them first.");
        }
        if (store.isBlocked(target, caller)) {
            throw ApiException.forbidden(CANNOT_REQUEST);
        }
        if (store.isContact(caller, target)) {
            throw ApiException.conflict("You are contacts already.");
        }
        var pending = store.findRequest(caller, target);
        if (pending.isPresent()) {
            return new Outcome(pending.get(), null, false);
        }
        Instant now = now();
        if (store.deleteRequest(target, caller)) {
            // they asked first: asking back is accepting
            return new Outcome(null, becomeContacts(caller, target, now), true);
        }
        if (store.pendingFrom(caller) >= properties.maxPendingRequests()) {
            throw ApiException.conflict("You have " + properties.maxPendingRequests() + " contact requests waiting "
                    + "for an answer; cancel some or wait for answers.");
        }
        limits.requesting(caller);
        ContactStore.Request request = new ContactStore.Request(caller, target, note, now);
        if (!store.insertRequest(request)) {
            // a concurrent request of the caller's won: that one stands
            return new Outcome(store.findRequest(caller, target).orElse(request), null, false);
        }
        changes.record(caller, Contact.REQUESTED, target, note, now);
        changes.record(target, Contact.REQUEST_RECEIVED, caller, note, now);
        return new Outcome(request, null, true);
    }

    /** Accepts {@code from}'s request: both become contacts. 404 without such a request. */
    public ContactStore.Contact accept(String caller, String from) {
        if (!Ids.isValidUserId(from) || !store.deleteRequest(from, caller)) {
            throw ApiException.notFound(NO_INCOMING);
        }
        if (store.accountKind(from).isEmpty()) {
            throw ApiException.notFound("No such user.");
        }
        return becomeContacts(caller, from, now());
    }

    /** Declines {@code from}'s request. 404 without such a request. */
    public void decline(String caller, String from) {
        if (!Ids.isValidUserId(from) || !store.deleteRequest(from, caller)) {
            throw ApiException.notFound(NO_INCOMING);
        }
        Instant now = now();
        changes.record(caller, Contact.DECLINED, from, null, now);
        changes.record(from, Contact.DECLINED, caller, null, now);
    }

    /** Withdraws the caller's own request to {@code to}. 404 without such a request. */
    public void cancel(String caller, String to) {
        if (!Ids.isValidUserId(to) || !store.deleteRequest(caller, to)) {
            throw ApiException.notFound(NO_OUTGOING);
        }
        Instant now = now();
        changes.record(caller, Contact.CANCELLED, to, null, now);
        changes.record(to, Contact.CANCELLED, caller, null, now);
    }

    /** Ends the contact both ways. 404 if not a contact. */
    public void remove(String caller, String contact) {
        if (!Ids.isValidUserId(contact) || !store.deleteContacts(caller, contact)) {
            throw ApiException.notFound("This user is not in your contacts.");
        }
        Instant now = now();
        changes.record(caller, Contact.REMOVED, contact, null, now);
        changes.record(contact, Contact.REMOVED, caller, null, now);
    }

    public ContactList contacts(String caller, int skip, int limit) {
        long version = changeLog.currentVersion(caller);
        return new ContactList(version, store.contactsOf(caller, skip, limit));
    }

    public List<ContactStore.Request> requests(String caller, boolean incoming, int skip, int limit) {
        return store.requestsOf(caller, incoming, skip, limit);
    }

    /**
     * The caller's changes after {@code since}, oldest first, at most {@code limit}. 410 when some of them are no
     * longer kept, or {@code since} is newer than the list (a client that lost track): reload the whole list.
     */
    public ContactChangeFeed.Page changesSince(String caller, long since, int limit) {
        if (since < 0) {
            throw ApiException.badRequest("sinceVersion must be 0 or more.");
        }
        ContactChangeFeed.Outcome outcome = feed.since(caller, since, limit);
        if (outcome instanceof ContactChangeFeed.Reload reload) {
            throw reload(reload.why());
        }
        return (ContactChangeFeed.Page) outcome;
    }

    /**
     * A deleted account leaves every list it was on: its contacts lose it ({@code removed}), requests it sent
     * are {@code cancelled} and those it got {@code declined} for the other users; its blocks and its own changes
     * go. Who blocked it keeps that block (the id is never registered again, so it blocks nobody else).
     */
    public void removeAccount(String userId) {
        Instant now = now();
        // each pass deletes what it read; a pass that deletes nothing (a document not shaped as written) ends it
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String contact : store.allContactIds(userId)) {
                if (store.deleteContacts(userId, contact)) {
                    progress = true;
                    changes.record(contact, Contact.REMOVED, userId, null, now);
                }
            }
        }
        for (boolean incoming : new boolean[]{false, true}) {
            progress = true;
            while (progress) {
                progress = false;
                for (ContactStore.Request r : store.requestsOf(userId, incoming, 0, 500)) {
                    if (store.deleteRequest(r.from(), r.to())) {
                        progress = true;
                        String peer = incoming ? r.from() : r.to();
                        changes.record(peer, incoming ? Contact.DECLINED : Contact.CANCELLED, userId, null, now);
                    }
                }
            }
        }
        store.deleteBlocksBy(userId);
        changeLog.deleteAll(userId);
    }

    /** Writes both directions and records {@code accepted} for both (unless they were contacts already). */
    private ContactStore.Contact becomeContacts(String caller, String peer, Instant now) {
        if (store.insertContacts(caller, peer, now)) {
            changes.record(caller, Contact.ACCEPTED, peer, null, now);
            changes.record(peer, Contact.ACCEPTED, caller, null, now);
        }
        return new ContactStore.Contact(peer, now);
    }

    /** A user id another user may relate to: valid (400), not reserved (400), not the caller (400). */
    static void requirePeer(String caller, String target) {
        if (!Ids.isValidUserId(target)) {
            throw ApiException.badRequest("userId must be a user id (" + Ids.userIdRule() + ").");
        }
        if (Ids.isReservedUserId(target)) {
            throw ApiException.badRequest("'" + target + "' belongs to the server.");
        }
        if (target.equals(caller)) {
            throw ApiException.badRequest("That is you.");
        }
    }

    /** A request's note: null or empty for none; at most 200 characters, no control characters (400). */
    static String checkedMessage(String message) {
        if (message == null || message.isEmpty()) {
            return null;
        }
        if (message.codePointCount(0, message.length()) > MAX_MESSAGE) {
            throw ApiException.badRequest("message can have at most " + MAX_MESSAGE + " characters.");
        }
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean loneSurrogate = Character.isHighSurrogate(c)
                    ? i + 1 >= message.length() || !Character.isLowSurrogate(message.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (Character.isISOControl(c) || loneSurrogate) {
                throw ApiException.badRequest("message must be text without control characters.");
            }
        }
        return message;
    }

    static ApiException reload(String why) {
        return new ApiException(HttpStatus.GONE, "Reload your contacts: " + why + ". GET /api/v1/contacts "
                + "returns the whole list and its version.", "contacts_reload");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
