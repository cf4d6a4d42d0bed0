package io.mqchat.api.users;

import io.mqchat.api.admin.AdminAccess;
import io.mqchat.api.auth.AuthService;
import io.mqchat.api.auth.PasswordPolicy;
import io.mqchat.api.contacts.ContactService;
import io.mqchat.api.devices.BrokerBus;
import io.mqchat.api.devices.DeviceSessions;
import io.mqchat.api.groups.GroupMembers;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A user's changes to their own account: a new password, and deleting the account. Both need the current
 * password, checked under the login throttle ({@link AuthService#checkPassword}), so a stolen token alone can
 * neither take the account over nor destroy it, nor be used to guess the password faster than logins allow.
 */
@Service
public class AccountService {

    /** The problem {@code code} of a wrong current password. */
    public static final String WRONG_PASSWORD = "wrong_password";
    /** The reason string other devices get when a password change logs them out. */
    static final String PASSWORD_CHANGED = "the password was changed on another device";
    /** The reason string every device gets when the account is deleted. */
    static final String ACCOUNT_DELETED = "account_deleted: this account was deleted";

    private static final Logger log = LoggerFactory.getLogger(AccountService.class);

    private final UserStore users;
    private final AuthService auth;
    private final PasswordEncoder encoder;
    private final DeviceSessions devices;
    private final GroupMembers groupMembers;
    private final AdminAccess admins;
    private final BrokerBus bus;
    private final ContactService contacts;
    private final Clock clock = Clock.systemUTC();

    public AccountService(UserStore users, AuthService auth, PasswordEncoder encoder, DeviceSessions devices,
                          GroupMembers groupMembers, AdminAccess admins, BrokerBus bus, ContactService contacts) {
        this.bus = bus;
        this.contacts = contacts;
        this.users = users;
        this.auth = auth;
        this.encoder = encoder;
        this.devices = devices;
        this.groupMembers = groupMembers;
        this.admins = admins;
    }

    /** What a password change did: the device types that were logged out. */
    public record PasswordChanged(List<String> loggedOut) {
    }

    /**
     * Sets a new password. The calling device stays logged in with its token; every other device is logged
     * out and disconnected, its tokens dead at once.
     */
    public PasswordChanged changePassword(AccessTokens.AccessToken caller, String currentPassword, String newPassword,
                                          String remoteAddr) {
        String userId = caller.userId();
        require(currentPassword, "currentPassword");
        require(newPassword, "newPassword");
        Optional<String> weak = PasswordPolicy.check(userId, newPassword);
        if (weak.isPresent()) {
            throw ApiException.badRequest("newPassword: " + weak.get());
        }
        if (newPassword.equals(currentPassword)) {
            throw ApiException.badRequest("newPassword must differ from the current password");
        }
        String checked = verify(userId, currentPassword, remoteAddr);
        if (!users.replacePasswordHash(userId, checked, encoder.encode(newPassword))) {
            // changed (or deleted) by another request since it was checked: this one did not happen
            throw ApiException.conflict("The password was changed at the same time by another request; "
                    + "log in again and retry.");
        }
        return new PasswordChanged(devices.disconnectOthers(userId, caller.deviceType(), PASSWORD_CHANGED));
    }

    /**
     * Deletes the account for good: the user leaves every group (a group it owns passes to its oldest admin or
     * member, or is dissolved when empty), its pending invitations and join requests, its contacts, contact
     * requests and blocks, settings, roles, logins and own conversation summaries go, every device is disconnected. The messages it sent stay, with its id as
     * {@code from}; the id is kept as a tombstone and can never be registered again.
     */
    public void delete(AccessTokens.AccessToken caller, String password, String remoteAddr) {
        String userId = caller.userId();
        require(password, "password");
        if (admins.isConfigured(userId)) {
            throw ApiException.conflict(userId + " is an admin by configuration (MQCHAT_ADMINS); remove it there "
                    + "before deleting the account.");
        }
        verify(userId, password, remoteAddr);
        // the tombstone first: from here on the id cannot be registered again, whatever fails later. Until the
        // user document goes, the account still works, so a failure midway can be retried with the same token.
        users.tombstone(userId, clock.instant());
        groupMembers.removeAccount(userId);
        users.deleteConversationSummaries(userId);
        users.delete(userId);
        // after the user document: no new request can reach the account any more
        contacts.removeAccount(userId);
        try {
            // the broker nodes stop taking direct messages for it now, not when their cached answer expires
            bus.send(BusMessage.accountDeleted(userId));
        } catch (RuntimeException e) {
            log.warn("Account {} deleted, but the broker nodes were not told (they notice within 30 s): {}", userId,
                    e.toString());
        }
        devices.disconnectAll(userId, null, ACCOUNT_DELETED);
        // whatever joined a group while the first pass ran (the user existed until just now)
        groupMembers.removeAccount(userId);
    }

    /** The stored hash the password matched; 403 when wrong, 429 while throttled. */
    private String verify(String userId, String password, String remoteAddr) {
        return auth.checkPassword(userId, password, remoteAddr).orElseThrow(() ->
                new ApiException(HttpStatus.FORBIDDEN, "The password is wrong.", WRONG_PASSWORD));
    }

    private static void require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(field + " is required");
        }
    }
}
