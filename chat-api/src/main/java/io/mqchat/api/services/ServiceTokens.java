package io.mqchat.api.services;

import io.mqchat.api.admin.ManagedAccounts;
import io.mqchat.api.auth.LoginThrottle;
import io.mqchat.api.config.ChatApiProperties;
import io.mqchat.api.devices.DeviceSessions;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.services.ServiceSecrets;
import io.mqchat.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client-credentials grant: a service account's id and secret for a token. Failures are throttled like
 * logins (per account and address) and all look alike, so probing learns nothing about which part was wrong.
 */
@Service
public class ServiceTokens {

    static final String GRANT = "client_credentials";
    static final String BAD_CLIENT = "Unknown client_id, wrong client_secret, or a disabled service account.";
    /** A service token lives as long as a user's, at most this long: services fetch new ones as they please. */
    static final Duration MAX_LIFETIME = Duration.ofDays(1);

    private final ServiceAccountStore store;
    private final DeviceSessions devices;
    private final LoginThrottle throttle;
    private final ManagedAccounts accounts;
    private final AccessTokens tokens;
    private final Duration lifetime;

    public ServiceTokens(ServiceAccountStore store, DeviceSessions devices, LoginThrottle throttle,
                         ManagedAccounts accounts, AccessTokens tokens, ChatApiProperties properties) {
        this.store = store;
        this.devices = devices;
        this.throttle = throttle;
        this.accounts = accounts;
        this.tokens = tokens;
        Duration configured = properties.jwt().lifetime();
        this.lifetime = configured.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : configured;
    }

    public ServiceAccountDtos.TokenResponse issue(ServiceAccountDtos.TokenRequest request, String remoteAddr) {
        if (request == null || request.grant_type() == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "grant_type is required: \"" + GRANT + "\" with client_id "
                    + "and client_secret (users log in at /api/v1/auth/login)", "invalid_request");
        }
        if (!GRANT.equals(request.grant_type())) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "grant_type must be \"" + GRANT + "\"; users log in at "
                    + "/api/v1/auth/login", "unsupported_grant_type");
        }
        String id = request.client_id();
        if (id == null || request.client_secret() == null || request.client_secret().isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "client_id and client_secret are required", "invalid_request");
        }
        if (!Ids.isValidUserId(id)) {
            throw ApiException.unauthorized(BAD_CLIENT);
        }
        AtomicReference<ServiceAccount> matched = new AtomicReference<>();
        boolean ok = throttle.attempt(id, remoteAddr, () -> {
            Optional<ServiceAccount> account = store.find(id);
            if (account.isPresent() && !account.get().disabled()
                    && ServiceSecrets.matches(request.client_secret(), account.get().secretHash())) {
                matched.set(account.get());
                return true;
            }
            return false;
        });
        if (!ok) {
            throw ApiException.unauthorized(BAD_CLIENT);
        }
        if (accounts.activeBan(id, Instant.now()).isPresent()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "This service account is banned.", "banned");
        }
        ServiceAccount account = matched.get();
        DeviceLogins.Issued issued = devices.loginService(tokens, id, account.credential(), lifetime);
        Optional<ServiceAccount> now = store.find(id);
        if (now.isEmpty() || now.get().disabled() || !now.get().credential().equals(account.credential())) {
            // rotated or disabled while this token was being issued: its revocation may have run before we recorded
            // the login, so the login must not outlive it
            devices.revokeService(id, account.credential(), "the service account's secret was rotated");
            throw ApiException.unauthorized(BAD_CLIENT);
        }
        return new ServiceAccountDtos.TokenResponse(issued.token(), issued.claims().expiresAt().toString());
    }
}
