package io.mqchat.api.auth;

import io.mqchat.api.limits.RequestRateLimiter;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Component;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Throttles password guessing and mass registration (token buckets in Redis, shared by every chat-api
 * instance). A failed login spends a token of the account's bucket and of the client address's; while
 * either is empty, logins of that account (or from that address) are answered 429 without checking the
 * password — the right one included, so guessing gains nothing — until the bucket refills. Unknown account
 * ids have buckets like real ones, so the answers do not tell them apart. Registrations spend a token of
 * the address's bucket each.
 */
@Component
public class LoginThrottle {

    static final String LOGIN_FAILURES = "login-fail";
    static final String ADDRESS_LOGIN_FAILURES = "login-fail-addr";
    static final String REGISTRATIONS = "register-addr";

    /** The problem {@code code} of a refused login. */
    public static final String LOGIN_THROTTLED = "login_throttled";
    /** The problem {@code code} of a refused registration. */
    public static final String REGISTRATION_THROTTLED = "registration_throttled";

    private final RequestRateLimiter limiter;
    private final RateLimit perAccount;
    private final RateLimit perAddress;
    private final RateLimit registrations;
    /**
     * One account's logins are checked one at a time on this instance, so that many parallel guesses
     * cannot all pass the "is it locked?" look before the first failure is counted.
     */
    private final ReentrantLock[] accountLocks = new ReentrantLock[64];

    public LoginThrottle(RequestRateLimiter limiter, AuthRateLimits limits) {
        this.limiter = limiter;
        this.perAccount = limits.loginFailureLimit();
        this.perAddress = limits.addressLoginFailureLimit();
        this.registrations = limits.registrationLimit();
        for (int i = 0; i < accountLocks.length; i++) {
            accountLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Runs {@code check} (the password check, true when it succeeded) unless the account or address is
     * locked, and counts a failure against both.
     *
     * @throws ApiException 429 with Retry-After while locked
     */
    public boolean attempt(String userId, String remoteAddr, Supplier<Boolean> check) {
        String address = ClientAddress.subject(remoteAddr);
        ReentrantLock lock = accountLocks[Math.floorMod(userId.hashCode(), accountLocks.length)];
        lock.lock();
        try {
            RateLimiter.Decision account = limiter.peek(LOGIN_FAILURES, userId, perAccount);
            RateLimiter.Decision fromAddress = limiter.peek(ADDRESS_LOGIN_FAILURES, address, perAddress);
            if (!account.allowed() || !fromAddress.allowed()) {
                long seconds = Math.max(account.allowed() ? 0 : account.retryAfterSeconds(),
                        fromAddress.allowed() ? 0 : fromAddress.retryAfterSeconds());
                throw ApiException.tooManyRequests("Too many failed logins for this account or from this "
                        + "address; try again in " + seconds + " s (see Retry-After).", LOGIN_THROTTLED, seconds);
            }
            boolean ok = check.get();
            if (!ok) {
                limiter.take(LOGIN_FAILURES, userId, perAccount, 1);
                limiter.take(ADDRESS_LOGIN_FAILURES, address, perAddress, 1);
            }
            return ok;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts a registration attempt from {@code remoteAddr}.
     *
     * @throws ApiException 429 with Retry-After when the address has registered too much
     */
    public void registration(String remoteAddr) {
        limiter.takeOrRefuse(REGISTRATIONS, ClientAddress.subject(remoteAddr), registrations, 1,
                REGISTRATION_THROTTLED, seconds -> "Too many registrations from this address; try again in "
                        + seconds + " s (see Retry-After).");
    }
}
