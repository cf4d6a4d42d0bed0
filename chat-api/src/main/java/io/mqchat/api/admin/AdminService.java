package io.mqchat.api.admin;

import io.mqchat.api.devices.DeviceSessions;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.AccountBans;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.web.ApiException;
import org.bson.types.ObjectId;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * The rules of the admin API: roles, user lookup, bans, kicks, and the audit of every change. All request
 * values are validated here before they reach a store.
 */
@Service
public class AdminService {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_REASON = 500;

    private final ManagedAccounts accounts;
    private final AdminAccess access;
    private final AdminAudit audit;
    private final AccountBans bans;
    private final DeviceSessions devices;
    private final Set<String> deviceTypes;
    private final AdminStats stats;
    private final Clock clock = Clock.systemUTC();

    public AdminService(ManagedAccounts accounts, AdminAccess access, AdminAudit audit, AccountBans bans,
                        DeviceSessions devices, AdminStats stats, io.mqchat.api.config.ChatApiProperties properties) {
        this.stats = stats;
        this.accounts = accounts;
        this.access = access;
        this.audit = audit;
        this.bans = bans;
        this.devices = devices;
        this.deviceTypes = Set.copyOf(properties.deviceTypes());
    }

    public AdminDtos.UserSummary grantAdmin(String admin, String userId) {
        ManagedAccounts.Account account = existing(userId);
        accounts.setAdmin(userId, true);
        audit.record(admin, "admin_granted", userId, null, null, null);
        return summary(new ManagedAccounts.Account(userId, account.createdAt(), true, account.ban()));
    }

    public void revokeAdmin(String admin, String userId) {
        existing(userId);
        if (access.isConfigured(userId)) {
            throw ApiException.conflict(userId + " is an admin by configuration (MQCHAT_ADMINS); change it there.");
        }
        accounts.setAdmin(userId, false);
        audit.record(admin, "admin_revoked", userId, null, null, null);
    }

    public AdminDtos.UserPage users(String prefix, String after, Integer limit) {
        String p = prefix == null ? "" : prefix;
        if (!Ids.isValidUserIdPrefix(p)) {
            throw ApiException.badRequest("prefix must be up to 32 letters, digits, '_', '-' or '.'");
        }
        if (after != null && !Ids.isValidUserId(after)) {
            throw ApiException.badRequest("after must be a user id (the next of the previous page)");
        }
        int n = limit(limit);
        List<ManagedAccounts.Account> page = accounts.page(p, after, n + 1);
        List<AdminDtos.UserSummary> shown = page.stream().limit(n).map(this::summary).toList();
        return new AdminDtos.UserPage(shown, page.size() > n ? shown.get(n - 1).userId() : null);
    }

    public AdminDtos.UserDetail user(String userId) {
        ManagedAccounts.Account a = existing(userId);
        AdminDtos.UserSummary s = summary(a);
        return new AdminDtos.UserDetail(s.userId(), s.createdAt(), s.admin(), s.adminConfigured(), s.banned(),
                devices.list(userId), accounts.groupCount(userId));
    }

    /**
     * Bans a user: recorded on the user document (the record) and in Redis (what the broker checks at CONNECT),
     * then every device is logged out and disconnected, so old tokens die with it.
     */
    public AdminDtos.UserSummary ban(String admin, String userId, AdminDtos.BanRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a body {\"reason\", \"until\"} is required");
        }
        String reason = reason(request.reason());
        Instant until = null;
        if (request.until() != null) {
            try {
                until = Instant.parse(request.until());
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("until must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
            }
            if (!until.isAfter(clock.instant())) {
                throw ApiException.badRequest("until must be in the future (leave it out for a permanent ban)");
            }
        }
        if (userId.equals(admin)) {
            throw ApiException.conflict("You cannot ban yourself.");
        }
        if (access.isConfigured(userId)) {
            throw ApiException.conflict(userId + " is an admin by configuration (MQCHAT_ADMINS) and cannot be banned.");
        }
        ManagedAccounts.Account account = existing(userId);
        ManagedAccounts.StoredBan stored = new ManagedAccounts.StoredBan(reason, until, admin, clock.instant());
        accounts.ban(userId, stored);
        AccountBans.Ban ban = new AccountBans.Ban(reason, until);
        bans.ban(userId, ban);
        devices.disconnectAll(userId, null, "banned: " + ban.describe());
        audit.record(admin, "banned", userId, reason, until, null);
        return summary(new ManagedAccounts.Account(userId, account.createdAt(), account.adminStored(), stored));
    }

    public void unban(String admin, String userId) {
        existing(userId);
        accounts.lift(userId);
        bans.lift(userId);
        audit.record(admin, "unbanned", userId, null, null, null);
    }

    public AdminDtos.Kicked kick(String admin, String userId, AdminDtos.KickRequest request) {
        String deviceType = request == null ? null : request.deviceType();
        String reason = reason(request == null ? null : request.reason());
        if (deviceType != null && !deviceTypes.contains(deviceType)) {
            throw ApiException.badRequest("deviceType must be one of "
                    + String.join(", ", new java.util.TreeSet<>(deviceTypes)));
        }
        existing(userId);
        List<String> kicked = devices.disconnectAll(userId, deviceType,
                "disconnected by an admin" + (reason == null ? "" : ": " + reason));
        audit.record(admin, "kicked", userId, reason, null, deviceType);
        return new AdminDtos.Kicked(userId, kicked);
    }

    public AdminDtos.AuditPage audit(String admin, String target, String after, Integer limit) {
        if (admin != null && !Ids.isValidUserId(admin)) {
            throw ApiException.badRequest("admin must be a user id");
        }
        if (target != null && !Ids.isValidUserId(target)) {
            throw ApiException.badRequest("target must be a user id");
        }
        if (after != null && !ObjectId.isValid(after)) {
            throw ApiException.badRequest("after must be the id of an audit entry (the next of the previous page)");
        }
        int n = limit(limit);
        List<AdminAudit.Entry> page = audit.page(admin, target, after, n + 1);
        List<AdminAudit.Entry> shown = page.stream().limit(n).toList();
        return new AdminDtos.AuditPage(shown, page.size() > n ? shown.get(n - 1).id() : null);
    }

    /** The users online now on every node, by user id, with their devices; and the totals. */
    public AdminDtos.OnlinePage online(String after, Integer limit) {
        if (after != null && !Ids.isValidUserId(after)) {
            throw ApiException.badRequest("after must be a user id (the next of the previous page)");
        }
        int n = limit(limit);
        List<PresenceStore.OnlineUser> page = stats.online(after, n + 1);
        List<AdminDtos.OnlineUser> shown = page.stream().limit(n).map(u -> new AdminDtos.OnlineUser(u.userId(),
                u.devices().stream().map(d -> new AdminDtos.OnlineDevice(d.deviceType(), d.node(),
                        Instant.ofEpochMilli(d.since()).toString())).toList())).toList();
        return new AdminDtos.OnlinePage(shown, page.size() > n ? shown.get(n - 1).userId() : null, totals(stats.totals()));
    }

    /** Online totals, message/user/group counts and store health; a store that is down leaves its part null. */
    public AdminDtos.Stats stats() {
        AdminDtos.StoreHealth mongo = stats.mongo();
        AdminDtos.StoreHealth redis = stats.redis();
        boolean mongoUp = "UP".equals(mongo.status());
        return new AdminDtos.Stats("UP".equals(redis.status()) ? totals(stats.totals()) : null,
                mongoUp ? stats.messages() : null, mongoUp ? stats.registeredUsers() : null,
                mongoUp ? stats.groups() : null, new AdminDtos.Health(mongo, redis));
    }

    private static AdminDtos.OnlineTotals totals(PresenceStore.OnlineTotals t) {
        return new AdminDtos.OnlineTotals(t.users(), t.devices(), t.devicesByNode());
    }

    private ManagedAccounts.Account existing(String userId) {
        if (!Ids.isValidUserId(userId)) {
            // an id that cannot exist: same answer as an unknown one
            throw ApiException.notFound("No such user.");
        }
        return accounts.find(userId).orElseThrow(() -> ApiException.notFound("No such user."));
    }

    /** A page size of the admin lists: absent → the default, else 1 to {@value #MAX_LIMIT}. */
    static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    /** An optional reason: trimmed, at most {@value #MAX_REASON} characters, no control characters. */
    static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            return null;
        }
        String r = reason.strip();
        if (r.length() > MAX_REASON || r.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("reason must be at most " + MAX_REASON + " characters without control characters");
        }
        return r;
    }

    private AdminDtos.UserSummary summary(ManagedAccounts.Account a) {
        ManagedAccounts.StoredBan b = a.ban();
        AdminDtos.BanView ban = b == null || !b.activeAt(clock.instant()) ? null : new AdminDtos.BanView(b.reason(),
                b.until() == null ? null : b.until().toString(), b.by(), b.at() == null ? null : b.at().toString());
        boolean configured = access.isConfigured(a.userId());
        return new AdminDtos.UserSummary(a.userId(), a.createdAt() == null ? null : a.createdAt().toString(),
                configured || a.adminStored(), configured, ban);
    }
}
