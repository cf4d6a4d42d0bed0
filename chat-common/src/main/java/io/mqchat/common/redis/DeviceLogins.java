package io.mqchat.common.redis;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.DeviceLogin;
import io.mqchat.common.auth.DevicePolicy;
import io.mqchat.common.protocol.DeviceTypes;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The current login of each device of each user, in Redis ({@link RedisKeys#deviceLogins}): written at
 * login and logout by chat-api, read at every CONNECT by the broker and at every REST call by the services.
 * A token is accepted only while it is the current login of its device, which is how a kicked or
 * logged-out device is kept out.
 */
public final class DeviceLogins {

    private final RedissonClient redis;
    private final Clock clock;

    public DeviceLogins(RedissonClient redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    private RMap<String, String> map(String userId) {
        return redis.getMap(RedisKeys.deviceLogins(userId), StringCodec.INSTANCE);
    }

    /** Whether the verified token is the current login of its device (async: the broker must not block). */
    public CompletionStage<Boolean> isCurrent(AccessTokens.AccessToken token) {
        return map(token.userId()).getAsync(token.deviceType())
                .thenApply(json -> DeviceLogin.fromJson(json).map(login -> login.accepts(token)).orElse(false));
    }

    /** The same check, blocking (for servlet threads). */
    public boolean isCurrentNow(AccessTokens.AccessToken token) {
        try {
            return isCurrent(token).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Unexpired logins by device type. */
    public Map<String, DeviceLogin> all(String userId) {
        Map<String, DeviceLogin> out = new TreeMap<>();
        map(userId).readAllMap().forEach((type, json) -> DeviceLogin.fromJson(json)
                .filter(l -> l.expiresAt().isAfter(clock.instant()))
                .ifPresent(l -> out.put(type, l)));
        return out;
    }

    /**
     * Makes {@code login} the current login of its device type and removes the logins the policy says it
     * replaces (the same type included). Returns the replaced logins, whose devices must be kicked.
     */
    public List<DeviceLogin> recordLogin(String userId, DeviceLogin login, DevicePolicy policy) {
        Map<String, DeviceLogin> current = all(userId);
        List<DeviceLogin> replaced = new ArrayList<>();
        for (String type : policy.replacedBy(login.deviceType(), current.keySet())) {
            replaced.add(current.get(type));
        }
        RMap<String, String> map = map(userId);
        for (DeviceLogin old : replaced) {
            if (!old.deviceType().equals(login.deviceType())) {
                map.fastRemove(old.deviceType());
            }
        }
        map.fastPut(login.deviceType(), login.toJson());
        return replaced;
    }

    /** Logs a device out; returns its login if it had one. */
    public Optional<DeviceLogin> remove(String userId, String deviceType) {
        return DeviceLogin.fromJson(map(userId).remove(deviceType));
    }

    /** A token and the logins it replaced. */
    public record Issued(String token, AccessTokens.AccessToken claims, List<DeviceLogin> replaced) {
    }

    /** Issues a token for a device and makes it that device's current login (what a login does). */
    public Issued issue(AccessTokens tokens, String userId, String deviceType, java.time.Duration lifetime,
                        DevicePolicy policy) {
        String token = tokens.issue(userId, deviceType, lifetime);
        AccessTokens.AccessToken claims = tokens.verify(token).orElseThrow();
        List<DeviceLogin> replaced = recordLogin(userId,
                new DeviceLogin(deviceType, claims.tokenId(), claims.issuedAt(), claims.expiresAt()), policy);
        return new Issued(token, claims, replaced);
    }

    /**
     * Issues a service account's token under its credential generation and makes that generation the account's
     * current login (device {@link DeviceTypes#SERVICE}); several tokens of one generation are valid at once, one per
     * instance if it likes. The login lasts as long as the newest token.
     */
    public Issued issueService(AccessTokens tokens, String serviceId, String credential, java.time.Duration lifetime) {
        String token = tokens.issue(serviceId, DeviceTypes.SERVICE, lifetime, credential);
        AccessTokens.AccessToken claims = tokens.verify(token).orElseThrow();
        RMap<String, String> map = map(serviceId);
        Optional<DeviceLogin> before = DeviceLogin.fromJson(map.get(DeviceTypes.SERVICE))
                .filter(l -> credential.equals(l.tokenId()));
        java.time.Instant expires = before.map(DeviceLogin::expiresAt).filter(e -> e.isAfter(claims.expiresAt()))
                .orElse(claims.expiresAt());
        map.fastPut(DeviceTypes.SERVICE, new DeviceLogin(DeviceTypes.SERVICE, credential,
                before.map(DeviceLogin::loginAt).orElse(claims.issuedAt()), expires).toJson());
        return new Issued(token, claims, List.of());
    }

    /**
     * Ends a service account's login if it still is of {@code credential} (a newer credential's login stays); true
     * when it was removed.
     */
    public boolean removeService(String serviceId, String credential) {
        RMap<String, String> map = map(serviceId);
        String json = map.get(DeviceTypes.SERVICE);
        return DeviceLogin.fromJson(json).filter(l -> credential.equals(l.tokenId())).isPresent()
                && map.remove(DeviceTypes.SERVICE, json);
    }

    /** For tests and tools: a completed future of the current login of a device. */
    public CompletableFuture<Optional<DeviceLogin>> current(String userId, String deviceType) {
        return map(userId).getAsync(deviceType).thenApply(DeviceLogin::fromJson).toCompletableFuture();
    }
}
