package io.mqchat.broker.session;

import io.mqchat.common.protocol.ClientId;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections of this broker node and the token each authenticated with, so that a kick for an old
 * login never closes the connection of the login that replaced it; and the service accounts' connections by
 * account, whose client ids (one per instance) cannot be derived from the configured device types.
 */
public final class ConnectedDevices {

    private final Map<String, String> tokenIdByClientId = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> serviceConnections = new ConcurrentHashMap<>();

    void authenticated(String clientId, String tokenId, boolean service) {
        tokenIdByClientId.put(clientId, tokenId);
        if (service) {
            ClientId.parse(clientId).ifPresent(c -> serviceConnections
                    .computeIfAbsent(c.userId(), u -> ConcurrentHashMap.newKeySet()).add(clientId));
        }
    }

    void disconnected(String clientId, String tokenId) {
        if (tokenIdByClientId.remove(clientId, tokenId)) {
            ClientId.parse(clientId).ifPresent(c -> serviceConnections.computeIfPresent(c.userId(), (u, ids) -> {
                ids.remove(clientId);
                return ids.isEmpty() ? null : ids;
            }));
        }
    }

    /** The client ids connected to this node now (a live view; connections come and go while it is read). */
    public Set<String> clientIds() {
        return Collections.unmodifiableSet(tokenIdByClientId.keySet());
    }

    public Optional<String> tokenIdOf(String clientId) {
        return Optional.ofNullable(tokenIdByClientId.get(clientId));
    }

    /** The client ids of a service account's connections to this node (none for a person). */
    public List<String> serviceConnectionsOf(String userId) {
        Set<String> ids = serviceConnections.get(userId);
        return ids == null ? List.of() : List.copyOf(ids);
    }
}
