package io.mqchat.api.contacts;

import io.mqchat.common.protocol.ServerEvent.Contact;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.List;

/**
 * Blocks. Blocking ends what connects the two: the contact (both ways, {@code removed} for both) and pending
 * requests in either direction ({@code cancelled} / {@code declined} for both), then records {@code blocked} for
 * the blocker only — the blocked user learns of the ended contact or request, never of the block. A block keeps
 * the blocked user's contact requests and group invitations away from the blocker; direct messages and presence
 * are the broker's to enforce from {@code blocks}. Blocking and unblocking are idempotent.
 */
@Service
public class BlockService {

    private final ContactStore store;
    private final ContactChanges changes;
    private final ContactsProperties properties;

    public BlockService(ContactStore store, ContactChanges changes, ContactsProperties properties) {
        this.store = store;
        this.changes = changes;
        this.properties = properties;
    }

    /** Blocks {@code target} (a registered account, service accounts included). */
    public void block(String caller, String target) {
        ContactService.requirePeer(caller, target);
        if (store.isBlocked(caller, target)) {
            return;
        }
        if (store.accountKind(target).isEmpty()) {
            throw ApiException.notFound("No such user.");
        }
        if (store.blockCount(caller) >= properties.maxBlocks()) {
            throw ApiException.conflict("You can block at most " + properties.maxBlocks() + " users; unblock some first.");
        }
        Instant now = ContactService.now();
        if (!store.insertBlock(caller, target, now)) {
            return; // blocked by a concurrent request
        }
        if (store.deleteContacts(caller, target)) {
            changes.record(caller, Contact.REMOVED, target, null, now);
            changes.record(target, Contact.REMOVED, caller, null, now);
        }
        if (store.deleteRequest(caller, target)) {
            changes.record(caller, Contact.CANCELLED, target, null, now);
            changes.record(target, Contact.CANCELLED, caller, null, now);
        }
        if (store.deleteRequest(target, caller)) {
            changes.record(caller, Contact.DECLINED, target, null, now);
            changes.record(target, Contact.DECLINED, caller, null, now);
        }
        changes.record(caller, Contact.BLOCKED, target, null, now);
    }

    /** Lifts a block (nothing else comes back); nothing happens if there was none. 400 for an impossible id. */
    public void unblock(String caller, String target) {
        ContactService.requirePeer(caller, target);
        if (store.deleteBlock(caller, target)) {
            changes.record(caller, Contact.UNBLOCKED, target, null, ContactService.now());
        }
    }

    public List<ContactStore.Blocked> blocks(String caller, int skip, int limit) {
        return store.blocksOf(caller, skip, limit);
    }
}
