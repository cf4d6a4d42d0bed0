package io.mqchat.api.devices;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.DeviceLogin;
import io.mqchat.common.auth.DevicePolicy;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.redis.DeviceLogins;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A user's devices: logging one in (which replaces and kicks devices per the device policy), logging one
 * out, and listing them with their presence.
 */
@Service
public class DeviceSessions {

    private final DeviceLogins logins;
    private final PresenceStore presence;
    private final DevicePolicy policy;
    private final BrokerBus bus;
    private final Clock clock = Clock.systemUTC();

    public DeviceSessions(DeviceLogins logins, PresenceStore presence, DevicePolicy policy, BrokerBus bus) {
        this.logins = logins;
        this.presence = presence;
        this.policy = policy;
        this.bus = bus;
    }

    /** Issues a token that becomes the device's only valid one, and kicks the devices it replaces. */
    public DeviceLogins.Issued login(AccessTokens tokens, String userId, String deviceType, Duration lifetime) {
        DeviceLogins.Issued issued = logins.issue(tokens, userId, deviceType, lifetime, policy);
        for (DeviceLogin old : issued.replaced()) {
            String reason = old.deviceType().equals(deviceType)
                    ? "logged in on another " + deviceType
                    : "logged in on " + deviceType + " (only one of these devices at a time)";
            kick(userId, old, reason, false);
        }
        return issued;
    }

    /** Issues a service account's token under its current credential (several instances share the login). */
    public DeviceLogins.Issued loginService(AccessTokens tokens, String serviceId, String credential, Duration lifetime) {
        return logins.issueService(tokens, serviceId, credential, lifetime);
    }

    /**
     * Revokes every token of a service account's {@code credential} and closes its connections that authenticated
     * with it, on every node (those of a newer credential stay). The connections are found in presence, where every
     * node records each instance.
     */
    public void revokeService(String serviceId, String credential, String reason) {
        logins.removeService(serviceId, credential);
        presence.read(serviceId).forEach((instance, p) -> {
            if (p.online()) {
                kick(serviceId, new DeviceLogin(instance, credential, null, null), reason, true);
            }
        });
    }

    /**
     * The caller logs one of their devices out ({@code deviceType}, maybe the calling one): 400 for an
     * impossible device type, 404 if that device is not logged in. The device is told who logged it out.
     */
    public void logoutDevice(AccessTokens.AccessToken caller, String deviceType) {
        if (!Ids.isValidDeviceType(deviceType)) {
            throw ApiException.badRequest("deviceType must be a lower-case name such as 'phone'");
        }
        String reason = deviceType.equals(caller.deviceType()) ? "logged out"
                : "logged out from your " + caller.deviceType();
        if (logout(caller.userId(), deviceType, reason).isEmpty()) {
            throw ApiException.notFound("No " + deviceType + " is logged in.");
        }
    }

    /** Logs a device out and disconnects it; empty if it was not logged in. */
    public Optional<DeviceLogin> logout(String userId, String deviceType, String reason) {
        Optional<DeviceLogin> removed = logins.remove(userId, deviceType);
        removed.ifPresent(login -> kick(userId, login, reason, true));
        return removed;
    }

    /**
     * Logs out every device of the user (or only those of {@code deviceType}, when given) and disconnects them
     * (MQTT 5: DISCONNECT 0x98 administrative action with {@code reason}), also those the presence in Redis
     * shows connected without a current login. Their tokens stop working at once. Returns the device types.
     */
    public List<String> disconnectAll(String userId, String deviceType, String reason) {
        TreeSet<String> types = loggedInOrOnline(userId);
        if (deviceType != null) {
            types.retainAll(List.of(deviceType));
        }
        return disconnect(userId, types, reason);
    }

    /**
     * Like {@link #disconnectAll}, for every device of the user except {@code keptType} (the caller's own, whose
     * login and connection stay). Returns the device types logged out.
     */
    public List<String> disconnectOthers(String userId, String keptType, String reason) {
        TreeSet<String> types = loggedInOrOnline(userId);
        types.remove(keptType);
        return disconnect(userId, types, reason);
    }

    private TreeSet<String> loggedInOrOnline(String userId) {
        TreeSet<String> types = new TreeSet<>(logins.all(userId).keySet());
        presence.read(userId).forEach((type, p) -> {
            if (p.online()) {
                types.add(type);
            }
        });
        return types;
    }

    private List<String> disconnect(String userId, TreeSet<String> types, String reason) {
        for (String type : types) {
            Optional<DeviceLogin> removed = logins.remove(userId, type);
            // without a login: close whatever connection the device has (null token id)
            kick(userId, removed.orElse(new DeviceLogin(type, null, null, null)), reason, true);
        }
        return List.copyOf(types);
    }

    private void kick(String userId, DeviceLogin login, String reason, boolean loggedOut) {
        bus.send(BusMessage.disconnect(new ClientId(userId, login.deviceType()).toString(), login.tokenId(),
                Topics.inbox(userId), new ServerEvent.Kick(login.deviceType(), reason, clock.millis()).toJson(), reason, loggedOut));
    }

    /** One device as {@code GET /api/v1/devices} shows it. */
    public record DeviceView(String deviceType, boolean loggedIn, String loginAt, String expiresAt, boolean online,
                             String onlineSince, String lastSeen) {
    }

    public List<DeviceView> list(String userId) {
        Map<String, DeviceLogin> current = logins.all(userId);
        Map<String, PresenceStore.DevicePresence> seen = presence.read(userId);
        TreeSet<String> types = new TreeSet<>(current.keySet());
        types.addAll(seen.keySet());
        List<DeviceView> out = new ArrayList<>();
        for (String type : types) {
            DeviceLogin login = current.get(type);
            PresenceStore.DevicePresence p = seen.get(type);
            out.add(new DeviceView(type, login != null,
                    login == null ? null : login.loginAt().toString(),
                    login == null ? null : login.expiresAt().toString(),
                    p != null && p.online(),
                    p != null && p.online() && p.since() > 0 ? java.time.Instant.ofEpochMilli(p.since()).toString() : null,
                    p != null && p.lastSeen() > 0 ? java.time.Instant.ofEpochMilli(p.lastSeen()).toString() : null));
        }
        return out;
    }
}
