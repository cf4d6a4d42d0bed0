package io.mqchat.broker;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ClientId;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * CONNECT: client id {@code {userId}:{deviceType}}, username = userId, password = an access token issued
 * to that user and device type. Everything else, anonymous connects included, is refused with a reason.
 * Token checks are local HMAC verification, so this runs synchronously without I/O.
 */
public final class TokenAuthenticator implements SimpleAuthenticator {

    private final AccessTokens tokens;
    private final Set<String> deviceTypes;

    public TokenAuthenticator(AccessTokens tokens, Set<String> deviceTypes) {
        this.tokens = tokens;
        this.deviceTypes = deviceTypes;
    }

    @Override
    public void onConnect(@NotNull SimpleAuthInput input, @NotNull SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        Optional<ClientId> clientId = ClientId.parse(connect.getClientId());
        if (clientId.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "client id must be {userId}:{deviceType}, as returned by login");
            return;
        }
        if (!deviceTypes.contains(clientId.get().deviceType())) {
            output.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "unknown device type '" + clientId.get().deviceType() + "'");
            return;
        }
        Optional<String> username = connect.getUserName();
        Optional<ByteBuffer> password = connect.getPassword();
        if (username.isEmpty() || password.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                    "username (your user id) and password (your access token) are required");
            return;
        }
        if (!username.get().equals(clientId.get().userId())) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "username must equal the user id in the client id");
            return;
        }
        String token = StandardCharsets.UTF_8.decode(password.get().asReadOnlyBuffer()).toString();
        Optional<AccessTokens.AccessToken> verified = tokens.verify(token);
        if (verified.isEmpty()) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "invalid or expired token");
            return;
        }
        if (!verified.get().userId().equals(clientId.get().userId())
                || !verified.get().deviceType().equals(clientId.get().deviceType())) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                    "the token was issued for another user or device type");
            return;
        }
        output.authenticateSuccessfully();
    }
}
