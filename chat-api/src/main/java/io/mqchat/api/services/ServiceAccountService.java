package io.mqchat.api.services;

import io.mqchat.api.admin.AdminAudit;
import io.mqchat.api.devices.DeviceSessions;
import io.mqchat.api.users.UserAlreadyExistsException;
import io.mqchat.api.users.UserStore;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.services.ServiceScopes;
import io.mqchat.common.services.ServiceSecrets;
import io.mqchat.web.ApiException;
import io.mqchat.web.PageLimit;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Admins' management of service accounts: create (the secret is shown once), change scopes, name and rate limit,
 * rotate the secret, disable and enable. Rotating or disabling revokes every token of the old secret at once (REST
 * 401) and closes the account's MQTT connections on every node (DISCONNECT 0x98). Every change is audited.
 */
@Service
public class ServiceAccountService {

    /** A service's publish limit may be set this high, no higher: beyond it the store is the limit anyway. */
    static final double MAX_RATE_PER_SECOND = 100_000;
    private static final int MAX_NAME = 100;
    private static final PageLimit PAGE = new PageLimit(50, 200);

    private final ServiceAccountStore store;
    private final UserStore users;
    private final DeviceSessions devices;
    private final AdminAudit audit;
    private final Clock clock = Clock.systemUTC();

    public ServiceAccountService(ServiceAccountStore store, UserStore users, DeviceSessions devices, AdminAudit audit) {
        this.store = store;
        this.users = users;
        this.devices = devices;
        this.audit = audit;
    }

    public ServiceAccountDtos.Credentials create(String admin, ServiceAccountDtos.CreateRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a body {\"id\", \"name\", \"scopes\", \"rateLimit\"} is required");
        }
        String id = request.id();
        if (!Ids.isValidUserId(id)) {
            throw ApiException.badRequest("id must be " + Ids.userIdRule());
        }
        if (Ids.isReservedUserId(id)) {
            throw ApiException.conflict("The id '" + id + "' is reserved for the server.");
        }
        String name = name(request.name(), id);
        ServiceScopes scopes = scopes(ServiceScopes.DEFAULT, request.scopes());
        RateLimit limit = rateLimit(request.rateLimit() == null ? ServiceAccount.DEFAULT_RATE_LIMIT : request.rateLimit());
        if (users.isTombstoned(id)) {
            throw ApiException.conflict("The id '" + id + "' belonged to a deleted account and cannot be used again.");
        }
        String secret = ServiceSecrets.generate();
        ServiceAccount account = new ServiceAccount(id, name, ServiceSecrets.hash(secret), ServiceSecrets.generation(),
                scopes, limit, clock.instant(), admin, null);
        try {
            store.insert(account);
        } catch (UserAlreadyExistsException e) {
            throw ApiException.conflict("The id '" + id + "' is already taken (by a user or a service account).");
        }
        audit.record(admin, "service_account_created", id, null, null, null);
        return new ServiceAccountDtos.Credentials(ServiceAccountDtos.View.of(account), secret);
    }

    public ServiceAccountDtos.Page list(String after, String limitText) {
        if (after != null && !Ids.isValidUserId(after)) {
            throw ApiException.badRequest("after must be a service id (the next of the previous page)");
        }
        int n = PAGE.parse(limitText);
        List<ServiceAccount> page = store.page(after, n + 1);
        List<ServiceAccountDtos.View> shown = page.stream().limit(n).map(ServiceAccountDtos.View::of).toList();
        return new ServiceAccountDtos.Page(shown, page.size() > n ? shown.get(n - 1).id() : null);
    }

    public ServiceAccountDtos.View get(String id) {
        return ServiceAccountDtos.View.of(existing(id));
    }

    public ServiceAccountDtos.View update(String admin, String id, ServiceAccountDtos.UpdateRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a body with name, scopes or rateLimit is required");
        }
        ServiceAccount a = existing(id);
        ServiceAccount changed = new ServiceAccount(a.id(), request.name() == null ? a.name() : name(request.name(), id),
                a.secretHash(), a.credential(), scopes(a.scopes(), request.scopes()),
                request.rateLimit() == null ? a.rateLimit() : rateLimit(request.rateLimit()), a.createdAt(),
                a.createdBy(), a.disabledAt());
        if (!store.replaceIfCredential(changed, a.credential())) {
            throw ApiException.conflict("The account changed meanwhile (rotated or removed); read it and try again.");
        }
        audit.record(admin, "service_account_updated", id, null, null, null);
        return ServiceAccountDtos.View.of(changed);
    }

    /** A new secret; the old one and every token issued with it stop working now. */
    public ServiceAccountDtos.Credentials rotate(String admin, String id) {
        ServiceAccount a = existing(id);
        String secret = ServiceSecrets.generate();
        ServiceAccount rotated = new ServiceAccount(a.id(), a.name(), ServiceSecrets.hash(secret),
                ServiceSecrets.generation(), a.scopes(), a.rateLimit(), a.createdAt(), a.createdBy(), a.disabledAt());
        if (!store.replaceIfCredential(rotated, a.credential())) {
            throw ApiException.conflict("The account was rotated by someone else meanwhile; rotate again if you must.");
        }
        devices.revokeService(id, a.credential(), "the service account's secret was rotated");
        audit.record(admin, "service_account_rotated", id, null, null, null);
        return new ServiceAccountDtos.Credentials(ServiceAccountDtos.View.of(rotated), secret);
    }

    public ServiceAccountDtos.View disable(String admin, String id, ServiceAccountDtos.DisableRequest request) {
        String reason = request == null ? null : request.reason();
        if (reason != null && (reason.length() > 500 || reason.isBlank())) {
            throw ApiException.badRequest("reason must be 1 to 500 characters");
        }
        ServiceAccount a = existing(id);
        Instant at = a.disabledAt() != null ? a.disabledAt() : clock.instant();
        // a new credential too: tokens issued in a race with this cannot outlive it
        ServiceAccount disabled = new ServiceAccount(a.id(), a.name(), a.secretHash(), ServiceSecrets.generation(),
                a.scopes(), a.rateLimit(), a.createdAt(), a.createdBy(), at);
        if (!store.replaceIfCredential(disabled, a.credential())) {
            throw ApiException.conflict("The account changed meanwhile; try again.");
        }
        devices.revokeService(id, a.credential(), reason == null ? "the service account was disabled"
                : "the service account was disabled: " + reason);
        audit.record(admin, "service_account_disabled", id, reason, null, null);
        return ServiceAccountDtos.View.of(disabled);
    }

    public ServiceAccountDtos.View enable(String admin, String id) {
        ServiceAccount a = existing(id);
        ServiceAccount enabled = new ServiceAccount(a.id(), a.name(), a.secretHash(), a.credential(), a.scopes(),
                a.rateLimit(), a.createdAt(), a.createdBy(), null);
        if (!store.replaceIfCredential(enabled, a.credential())) {
            throw ApiException.conflict("The account changed meanwhile; try again.");
        }
        audit.record(admin, "service_account_enabled", id, null, null, null);
        return ServiceAccountDtos.View.of(enabled);
    }

    private ServiceAccount existing(String id) {
        if (!Ids.isValidUserId(id)) {
            throw ApiException.badRequest("id must be " + Ids.userIdRule());
        }
        return store.find(id).orElseThrow(() -> ApiException.notFound("No service account '" + id + "'."));
    }

    private static String name(String name, String id) {
        if (name == null) {
            return id;
        }
        if (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("name must be 1 to " + MAX_NAME + " characters without control characters");
        }
        return name.strip();
    }

    private static ServiceScopes scopes(ServiceScopes base, ServiceAccountDtos.ScopesRequest request) {
        if (request == null) {
            return base;
        }
        ServiceScopes.Result result = ServiceScopes.merge(base, request.direct(), request.users(), request.groups(),
                request.groupIds(), request.broadcast());
        if (result.scopes() == null) {
            throw ApiException.badRequest(String.join("; ", result.problems()));
        }
        return result.scopes();
    }

    private static RateLimit rateLimit(String text) {
        RateLimit limit;
        try {
            limit = RateLimit.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("rateLimit: " + e.getMessage());
        }
        if (limit.isOff() || limit.perSecond() > MAX_RATE_PER_SECOND || limit.burst() > 10 * (long) MAX_RATE_PER_SECOND) {
            throw ApiException.badRequest("rateLimit must be a rate up to " + (long) MAX_RATE_PER_SECOND
                    + "/s (burst up to " + 10 * (long) MAX_RATE_PER_SECOND + "); a service account always has a limit");
        }
        return limit;
    }
}
