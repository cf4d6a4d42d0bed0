package io.mqchat.broker.session;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections of this broker node and the token each authenticated with, so that a kick for an old
 * login never closes the connection of the login that replaced it.
 */
public final class ConnectedDevices {

    private final Map<String, String> tokenIdByClientId = new ConcurrentHashMap<>();

    void authenticated(String clientId, String tokenId) {
        tokenIdByClientId.put(clientId, tokenId);
    }

    void disconnected(String clientId, String tokenId) {
        tokenIdByClientId.remove(clientId, tokenId);
    }

    /** The client ids connected to this node now (a live view; connections come and go while it is read). */
    public java.util.Set<String> clientIds() {
        return java.util.Collections.unmodifiableSet(tokenIdByClientId.keySet());
    }

    public Optional<String> tokenIdOf(String clientId) {
        return Optional.ofNullable(tokenIdByClientId.get(clientId));
    }
}
