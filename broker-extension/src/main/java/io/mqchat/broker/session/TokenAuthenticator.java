package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.limits.RateLimiter;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.DeviceTypes;
import io.mqchat.common.redis.AccountBans;
import io.mqchat.common.redis.DeviceLogins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * CONNECT: first the connect rate of the client's address (one Redis call; refused with 0x9F connection rate
 * exceeded), then: no Last Will (a will is published by HiveMQ past the chat pipeline; presence is the
 * server's), client id {@code {userId}:{deviceType}}, username = userId, password = an access token issued
 * to that user and device type (a service account's token: client id {@code {serviceId}:{instance}}, any instance
 * name, several at once) that is still the device's current login (a newer login or a logout
 * revokes it, so a kicked device cannot reconnect and kick back), of an account that is not banned (refused with
 * 0x8A banned, 3.1.1 "not authorized", naming the ban's end). Everything else, anonymous connects
 * included, is refused with a reason. The signature check is local; the rate and current-login checks are
 * asynchronous Redis calls.
 */
public final class TokenAuthenticator implements SimpleAuthenticator {

    /** Why a CONNECT with a will is refused (and a will publish, should HiveMQ authorize one). */
    static final String WILL_REFUSED = "will_not_allowed: Last Will messages are not accepted; presence (chat/p/{you}) "
            + "is published by the server, so no will is needed";
    /** Rate-limit bucket kind of CONNECTs per client address. */
    static final String CONNECT_KIND = "connect";
    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final AccessTokens tokens;
    private final Set<String> deviceTypes;
    private final DeviceLogins logins;
    private final ConnectedDevices connected;
    private final Duration timeout;
    private final Executor callbacks;
    private final RateLimiter limiter;
    private final RateLimit connectLimit;
    private final AccountBans bans;

    public TokenAuthenticator(AccessTokens tokens, Set<String> deviceTypes, DeviceLogins logins,
                              ConnectedDevices connected, Duration timeout, Executor callbacks,
                              RateLimiter limiter, RateLimit connectLimit, AccountBans bans) {
        this.bans = bans;
        this.limiter = limiter;
        this.connectLimit = connectLimit;
        this.tokens = tokens;
        this.deviceTypes = deviceTypes;
        this.logins = logins;
        this.connected = connected;
        this.timeout = timeout;
        this.callbacks = callbacks;
    }

    @Override
    public void onConnect(@NotNull SimpleAuthInput input, @NotNull SimpleAuthOutput output) {
        // one async hold for both Redis calls (rate, then current login)
        Async<SimpleAuthOutput> async = output.async(timeout, TimeoutFallback.FAILURE,
                ConnackReasonCode.SERVER_UNAVAILABLE, "cannot check the login right now; try again");
        String address = input.getConnectionInformation().getInetAddress().map(InetAddress::getHostAddress)
                .orElse("unknown");
        limiter.tryTake(CONNECT_KIND, address, connectLimit).whenCompleteAsync((decision, error) -> {
            boolean resumeHere = true;
            try {
                if (error != null) {
                    // the login check below needs Redis too and refuses if it is down
                    log.warn("mqchat: connect rate check for {} failed: {}", address, error.toString());
                } else if (!decision.allowed()) {
                    boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
                    // 3.1.1 has no rate code; "server unavailable" tells a client to come back later
                    output.failAuthentication(mqtt5 ? ConnackReasonCode.CONNECTION_RATE_EXCEEDED
                                    : ConnackReasonCode.SERVER_UNAVAILABLE,
                            "connection_rate_exceeded: too many connects from " + address + " (limit " + connectLimit
                                    + "); retry in " + decision.retryAfterSeconds() + " s");
                    return;
                }
                resumeHere = !authenticate(input, output, async);
            } catch (RuntimeException e) {
                log.error("mqchat: authentication of {} failed", input.getConnectPacket().getClientId(), e);
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "cannot check the login right now; try again");
            } finally {
                if (resumeHere) {
                    async.resume();
                }
            }
        }, callbacks);
    }

    /** The checks after the rate; true when the login check went async and will resume {@code async} itself. */
    private boolean authenticate(SimpleAuthInput input, SimpleAuthOutput output, Async<SimpleAuthOutput> async) {
        ConnectPacket connect = input.getConnectPacket();
        if (connect.getWillPublish().isPresent()) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, WILL_REFUSED);
            return false;
        }
        Optional<ClientId> clientId = ClientId.parse(connect.getClientId());
        if (clientId.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "client id must be {userId}:{deviceType}, as returned by login");
            return false;
        }
        Optional<String> username = connect.getUserName();
        Optional<ByteBuffer> password = connect.getPassword();
        if (username.isEmpty() || password.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                    "username (your user id) and password (your access token) are required");
            return false;
        }
        if (!username.get().equals(clientId.get().userId())) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "username must equal the user id in the client id");
            return false;
        }
        String token = StandardCharsets.UTF_8.decode(password.get().asReadOnlyBuffer()).toString();
        Optional<AccessTokens.AccessToken> verified = tokens.verify(token);
        if (verified.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "invalid or expired token");
            return false;
        }
        AccessTokens.AccessToken t = verified.get();
        boolean service = t.deviceType().equals(DeviceTypes.SERVICE);
        if (!service && !deviceTypes.contains(clientId.get().deviceType())) {
            output.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "unknown device type '" + clientId.get().deviceType() + "'");
            return false;
        }
        // a service account's token is good for any instance name under its id, several at once
        if (!t.userId().equals(clientId.get().userId())
                || (!service && !t.deviceType().equals(clientId.get().deviceType()))) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                    "the token was issued for another user or device type");
            return false;
        }
        // both in parallel; the ban wins: a banned user's tokens are revoked too, and "banned" is the answer that helps
        bans.find(t.userId()).thenCombine(logins.isCurrent(t), LoginCheck::new).whenCompleteAsync((check, error) -> {
            try {
                if (error == null && check.ban().isPresent()) {
                    // 3.1.1 clients get "not authorized" (HiveMQ maps the code); MQTT 5 ones the reason string too
                    output.failAuthentication(ConnackReasonCode.BANNED, "banned: " + check.ban().get().describe());
                } else if (error != null) {
                    log.warn("mqchat: login check for {} failed: {}", connect.getClientId(), error.toString());
                    output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE,
                            "cannot check the login right now; try again");
                } else if (!check.current()) {
                    output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                            "this device was logged out (signed in elsewhere or logged out); log in again");
                } else {
                    new ConnectionLogin(t.tokenId(), t.issuedAt().toEpochMilli(), service)
                            .storeIn(input.getConnectionInformation().getConnectionAttributeStore());
                    connected.authenticated(connect.getClientId(), t.tokenId(), service);
                    output.authenticateSuccessfully();
                }
            } finally {
                async.resume();
            }
        }, callbacks);
        return true;
    }

    /** What Redis says about a CONNECT's account and token. */
    private record LoginCheck(Optional<AccountBans.Ban> ban, boolean current) {
    }
}
