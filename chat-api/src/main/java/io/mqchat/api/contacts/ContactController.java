package io.mqchat.api.contacts;

import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.ApiException;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;

/** Contacts and contact requests of the caller (the token's user; nobody reads or changes another's). */
@RestController
@RequestMapping("/api/v1/contacts")
public class ContactController {

    public record NewRequest(String userId, String message) {
    }

    public record ContactView(String userId, String since) {
        static ContactView of(ContactStore.Contact c) {
            return new ContactView(c.userId(), text(c.since()));
        }
    }

    /** A page of contacts and the list's version (continue with {@code ?sinceVersion=version}). */
    public record ContactListView(List<ContactView> items, int page, int size, boolean hasMore, long version) {
    }

    public record ChangeView(long version, String change, String peer, String message, String at) {
        static ChangeView of(ContactChangeFeed.Change c) {
            return new ChangeView(c.version(), c.change(), c.peer(), c.message(), text(c.at()));
        }
    }

    /** Changes after {@code sinceVersion}; ask again from {@code next} while {@code hasMore}. */
    public record ChangesView(List<ChangeView> changes, long version, long next, boolean hasMore) {
    }

    /** A pending request; {@code userId} is the other user (the requester of an incoming one). */
    public record RequestView(String userId, String message, String createdAt) {
    }

    /** What a request ended in: {@code pending}, or {@code contacts} at once (they had asked you). */
    public record RequestOutcomeView(String userId,
                                     @Schema(allowableValues = {"pending", "contacts"}) String status,
                                     String message, String createdAt, String since) {
    }

    static final int MAX_CHANGES = 500;

    private final ContactService contacts;

    public ContactController(ContactService contacts) {
        this.contacts = contacts;
    }

    @Operation(summary = "My contacts, or the changes since a version",
            description = "Without sinceVersion: a page of contacts by id (page from 0, size 1-100, default 50) and "
                    + "the list's version. With sinceVersion=N: the changes after N in order (size 1-500, default "
                    + "200), the current version, next and hasMore; 410 code contacts_reload when N is older than "
                    + "what is kept or newer than the list: reload without sinceVersion",
            security = @SecurityRequirement(name = "bearer"),
            responses = {
                    @ApiResponse(responseCode = "200", description = "contacts (no sinceVersion) or changes",
                            content = @Content(schema = @Schema(oneOf = {ContactListView.class, ChangesView.class})))})
    @GetMapping
    public Object list(@RequestParam(required = false) Long sinceVersion,
                       @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) Integer size,
                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        String me = caller.userId();
        if (sinceVersion != null) {
            int limit = size == null ? 200 : size;
            if (limit < 1 || limit > MAX_CHANGES) {
                throw ApiException.badRequest("size must be 1-" + MAX_CHANGES + " with sinceVersion.");
            }
            ContactChangeFeed.Page since = contacts.changesSince(me, sinceVersion, limit);
            return new ChangesView(since.changes().stream().map(ChangeView::of).toList(), since.version(),
                    since.next(), since.hasMore());
        }
        int pageSize = size == null ? 50 : size;
        ListPage.check(page, pageSize);
        ContactService.ContactList list = contacts.contacts(me, page * pageSize, pageSize + 1);
        ListPage<ContactView> items = ListPage.of(list.contacts(), page, pageSize, ContactView::of);
        return new ContactListView(items.items(), items.page(), items.size(), items.hasMore(), list.version());
    }

    @Operation(summary = "Remove a contact", description = "Both directions go (change 'removed' for both). 204; "
            + "404 not a contact", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/{userId}")
    public ResponseEntity<Void> remove(@PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        contacts.remove(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Ask someone to be your contact",
            description = "{\"userId\",\"message\"?} (message at most 200 characters, no control characters). 201 "
                    + "status pending; 201 status contacts when they had asked you (accepted at once); 200 the "
                    + "pending request as it was when you asked already. 400 invalid, yourself, a reserved id or a "
                    + "service account; 404 unknown or deleted user; 409 contacts already, you blocked them, or too "
                    + "many pending requests; 403 the user does not take your requests; 429 too many requests "
                    + "recently (Retry-After)", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/requests")
    public ResponseEntity<RequestOutcomeView> request(@RequestBody NewRequest body,
                                                      @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                      AccessTokens.AccessToken caller) {
        if (body == null) {
            throw ApiException.badRequest("Send {\"userId\", \"message\"?}.");
        }
        ContactService.Outcome outcome = contacts.request(caller.userId(), body.userId(), body.message());
        RequestOutcomeView view = outcome.contact() != null
                ? new RequestOutcomeView(outcome.contact().userId(), "contacts", null, null, text(outcome.contact().since()))
                : new RequestOutcomeView(outcome.pending().to(), "pending", outcome.pending().message(),
                text(outcome.pending().createdAt()), null);
        return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK).body(view);
    }

    @Operation(summary = "My pending contact requests", description = "direction incoming (default: asked you) "
            + "or outgoing (you asked); oldest first; page from 0, size 1-100 (default 50)",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/requests")
    public ListPage<RequestView> requests(@RequestParam(defaultValue = "incoming") String direction,
                                          @RequestParam(defaultValue = "0") int page,
                                          @RequestParam(defaultValue = "50") int size,
                                          @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                          AccessTokens.AccessToken caller) {
        boolean incoming;
        if ("incoming".equals(direction)) {
            incoming = true;
        } else if ("outgoing".equals(direction)) {
            incoming = false;
        } else {
            throw ApiException.badRequest("direction must be \"incoming\" or \"outgoing\".");
        }
        return ListPage.read(page, size, (skip, limit) -> contacts.requests(caller.userId(), incoming, skip, limit),
                r -> new RequestView(incoming ? r.from() : r.to(), r.message(), text(r.createdAt())));
    }

    @Operation(summary = "Accept a contact request", description = "You become each other's contacts (change "
            + "'accepted' for both): 201 with the contact; 404 no pending request from this user",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/requests/{userId}/accept")
    public ResponseEntity<ContactView> accept(@PathVariable String userId,
                                              @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                              AccessTokens.AccessToken caller) {
        return ResponseEntity.status(HttpStatus.CREATED).body(ContactView.of(contacts.accept(caller.userId(), userId)));
    }

    @Operation(summary = "Decline a contact request", description = "204 (change 'declined' for both); 404 no "
            + "pending request from this user", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/requests/{userId}/decline")
    public ResponseEntity<Void> decline(@PathVariable String userId,
                                        @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        contacts.decline(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Cancel my contact request", description = "204 (change 'cancelled' for both); 404 no "
            + "pending request of yours to this user", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/requests/{userId}")
    public ResponseEntity<Void> cancel(@PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        contacts.cancel(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
