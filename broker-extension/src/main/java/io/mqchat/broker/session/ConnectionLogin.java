package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;

import java.util.Optional;

/**
 * What a connection authenticated with: its token's id (so that a kick for an old login never closes a newer
 * one), when the device logged in (the token's {@code iat}, epoch ms, for the history policy) and whether it is a
 * service account's connection. Kept as one entry in the connection's attributes, because every connection, idle
 * or not, keeps it for its lifetime.
 */
public record ConnectionLogin(String tokenId, long loginAt, boolean service) {

    static final String ATTRIBUTE = "mqchat.login";

    /** The login of a connection that passed authentication; empty for one that did not. */
    public static Optional<ConnectionLogin> of(@NotNull ConnectionAttributeStore attributes) {
        return attributes.getAsString(ATTRIBUTE).map(ConnectionLogin::parse);
    }

    void storeIn(@NotNull ConnectionAttributeStore attributes) {
        // the time and kind first: a token id may hold anything
        attributes.putAsString(ATTRIBUTE, loginAt + (service ? " s " : " u ") + tokenId);
    }

    /** Whether the connection of these attributes is a service account's. */
    public static boolean isService(@NotNull ConnectionAttributeStore attributes) {
        return of(attributes).map(ConnectionLogin::service).orElse(false);
    }

    private static ConnectionLogin parse(String value) {
        int space = value.indexOf(' ');
        return new ConnectionLogin(value.substring(space + 3), Long.parseLong(value, 0, space, 10),
                value.charAt(space + 1) == 's');
    }
}
