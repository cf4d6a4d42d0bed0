package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;

import java.util.Optional;

/**
 * What a connection authenticated with: its token's id (so that a kick for an old login never closes a newer
 * one) and when the device logged in (the token's {@code iat}, epoch ms, for the history policy). Kept as one
 * entry in the connection's attributes, because every connection, idle or not, keeps it for its lifetime.
 */
public record ConnectionLogin(String tokenId, long loginAt) {

    static final String ATTRIBUTE = "mqchat.login";

    /** The login of a connection that passed authentication; empty for one that did not. */
    public static Optional<ConnectionLogin> of(@NotNull ConnectionAttributeStore attributes) {
        return attributes.getAsString(ATTRIBUTE).map(ConnectionLogin::parse);
    }

    void storeIn(@NotNull ConnectionAttributeStore attributes) {
        attributes.putAsString(ATTRIBUTE, loginAt + " " + tokenId); // the time first: a token id may hold anything
    }

    private static ConnectionLogin parse(String value) {
        int space = value.indexOf(' ');
        return new ConnectionLogin(value.substring(space + 1), Long.parseLong(value, 0, space, 10));
    }
}
