package io.mqchat.broker;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import io.mqchat.common.protocol.ClientId;

import java.util.Optional;

/** Follows connections as they come and go: which token each uses, presence, group subscriptions. */
public final class ConnectionLifecycle implements ClientLifecycleEventListener {

    private final ConnectedDevices connected;
    private final Presence presence;
    private final GroupSubscriptions groups;

    public ConnectionLifecycle(ConnectedDevices connected, Presence presence, GroupSubscriptions groups) {
        this.connected = connected;
        this.presence = presence;
        this.groups = groups;
    }

    @Override
    public void onMqttConnectionStart(@NotNull ConnectionStartInput input) {
        // nothing to do before authentication
    }

    @Override
    public void onAuthenticationSuccessful(@NotNull AuthenticationSuccessfulInput input) {
        ClientId.parse(input.getClientInformation().getClientId()).ifPresent(client -> {
            presence.connected(client);
            groups.connected(client);
        });
    }

    @Override
    public void onDisconnect(@NotNull DisconnectEventInput input) {
        String clientId = input.getClientInformation().getClientId();
        Optional<String> tokenId = input.getConnectionInformation().getConnectionAttributeStore()
                .getAsString(TokenAuthenticator.TOKEN_ID_ATTRIBUTE);
        if (tokenId.isEmpty()) {
            return; // never authenticated: it was never online
        }
        connected.disconnected(clientId, tokenId.get());
        ClientId.parse(clientId).ifPresent(presence::disconnected);
    }
}
