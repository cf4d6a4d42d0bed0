package io.mqchat.api.auth;

import io.mqchat.api.admin.ManagedAccounts;
import io.mqchat.api.config.ChatApiProperties;
import io.mqchat.api.devices.DeviceSessions;
import io.mqchat.api.users.User;
import io.mqchat.api.users.UserAlreadyExistsException;
import io.mqchat.api.users.UserStore;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.web.ApiException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** Registration and login. All input is validated here before it reaches the store. */
@Service
public class AuthService {

    /** One answer for unknown user and wrong password, so probing cannot tell which. */
    static final String BAD_CREDENTIALS = "Unknown user id or wrong password.";

    private final UserStore users;
    private final PasswordEncoder encoder;
    private final AccessTokens tokens;
    private final ChatApiProperties properties;
    /** Hash checked for unknown users, so their login takes as long as a real one. */
    private final String dummyHash;

    private final DeviceSessions devices;
    private final LoginThrottle throttle;
    private final ManagedAccounts accounts;

    public AuthService(UserStore users, PasswordEncoder encoder, AccessTokens tokens, ChatApiProperties properties,
                       DeviceSessions devices, LoginThrottle throttle, ManagedAccounts accounts) {
        this.accounts = accounts;
        this.devices = devices;
        this.throttle = throttle;
        this.users = users;
        this.encoder = encoder;
        this.tokens = tokens;
        this.properties = properties;
        this.dummyHash = encoder.encode(UUID.randomUUID().toString());
    }

    /**
     * Registers a user.
     *
     * @param remoteAddr the client's address: registrations are limited per address, attempts that fail
     *                   included (a taken id answers 409, so ids could otherwise be probed)
     */
    public AuthDtos.RegisteredUser register(AuthDtos.RegisterRequest request, String remoteAddr) {
        throttle.registration(remoteAddr);
        String userId = require(request.userId(), "userId");
        String password = require(request.password(), "password");
        if (!Ids.isValidUserId(userId)) {
            throw ApiException.badRequest("userId must be " + Ids.userIdRule());
        }
        if (Ids.isReservedUserId(userId)) {
            throw ApiException.conflict("The user id '" + userId + "' is reserved for the server.");
        }
        Optional<String> weak = PasswordPolicy.check(userId, password);
        if (weak.isPresent()) {
            throw ApiException.badRequest(weak.get());
        }
        if (users.isTombstoned(userId)) {
            throw deletedId(userId);
        }
        try {
            users.insert(new User(userId, encoder.encode(password), Instant.now()));
        } catch (UserAlreadyExistsException e) {
            throw ApiException.conflict("The user id '" + userId + "' is already taken.");
        }
        if (users.isTombstoned(userId)) {
            // the account of this id was being deleted while we inserted: the id stays dead
            users.delete(userId);
            throw deletedId(userId);
        }
        return new AuthDtos.RegisteredUser(userId);
    }

    /**
     * Checks the password and issues an access token for one device type. Failed logins are throttled
     * per account and per client address ({@link LoginThrottle}); malformed requests (400) are not counted.
     */
    public AuthDtos.LoginResponse login(AuthDtos.LoginRequest request, String remoteAddr) {
        String userId = require(request.userId(), "userId");
        String password = require(request.password(), "password");
        String deviceType = require(request.deviceType(), "deviceType");
        List<String> deviceTypes = properties.deviceTypes();
        if (!deviceTypes.contains(deviceType)) {
            throw ApiException.badRequest("deviceType must be one of " + String.join(", ", deviceTypes));
        }
        if (!Ids.isValidUserId(userId)) {
            throw ApiException.badRequest("userId must be " + Ids.userIdRule());
        }
        Optional<String> checkedHash = checkPassword(userId, password, remoteAddr);
        if (checkedHash.isEmpty()) {
            throw ApiException.unauthorized(BAD_CREDENTIALS);
        }
        refuseIfBanned(userId);
        ClientId clientId = new ClientId(userId, deviceType);
        // the new token becomes the device's only valid one; replaced devices are kicked
        DeviceLogins.Issued issued = devices.login(tokens, userId, deviceType, properties.jwt().lifetime());
        if (accounts.activeBan(userId, Instant.now()).isPresent()) {
            // banned while this login was under way: the ban's logout may have run before the token was recorded
            devices.logout(userId, deviceType, "banned");
            refuseIfBanned(userId);
        }
        if (!users.find(userId).map(User::passwordHash).equals(checkedHash)) {
            // the password was changed or the account deleted while this login was under way: their logout of
            // the other devices may have run before this token was recorded, so it must not outlive them
            devices.logout(userId, deviceType, "the password was changed");
            throw ApiException.unauthorized(BAD_CREDENTIALS);
        }
        return new AuthDtos.LoginResponse(issued.token(), clientId.toString(), issued.claims().expiresAt().toString());
    }

    /**
     * Checks a user's password under the login throttle (a failure counts against the account and the address
     * like a failed login; while either is locked: 429 without checking). Unknown users take as long as known
     * ones. Returns the stored hash the password matched, empty when it did not.
     *
     * @throws ApiException 429 while throttled
     */
    public Optional<String> checkPassword(String userId, String password, String remoteAddr) {
        AtomicReference<String> matched = new AtomicReference<>();
        boolean ok = throttle.attempt(userId, remoteAddr, () -> {
            if (!PasswordPolicy.fitsBcrypt(password)) {
                return false; // no registered password is this long, so it cannot be right
            }
            Optional<User> user = users.find(userId);
            // a service account has no password: checked against the dummy like an unknown user, never matching
            boolean matches = encoder.matches(password, user.map(User::passwordHash).orElse(dummyHash))
                    && user.map(User::passwordHash).isPresent();
            if (user.isPresent() && matches) {
                matched.set(user.get().passwordHash());
                return true;
            }
            return false;
        });
        return ok ? Optional.of(matched.get()) : Optional.empty();
    }

    private static ApiException deletedId(String userId) {
        return ApiException.conflict("The user id '" + userId + "' belonged to a deleted account and cannot be "
                + "registered again.");
    }

    /** 403 naming the ban's end, after the password was found right (a wrong one gets the usual 401). */
    private void refuseIfBanned(String userId) {
        Optional<ManagedAccounts.StoredBan> ban = accounts.activeBan(userId, Instant.now());
        if (ban.isPresent()) {
            throw new ApiException(org.springframework.http.HttpStatus.FORBIDDEN, "This account is banned "
                    + (ban.get().until() == null ? "permanently" : "until " + ban.get().until())
                    + (ban.get().reason() == null ? "." : ": " + ban.get().reason()), "banned");
        }
    }

    private static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(field + " is required");
        }
        return value;
    }
}
