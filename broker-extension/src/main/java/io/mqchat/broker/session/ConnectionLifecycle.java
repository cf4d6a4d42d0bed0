package io.mqchat.broker.session;

import io.mqchat.broker.ingest.PublishPipeline;
import io.mqchat.broker.presence.Presence;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import io.mqchat.common.protocol.ClientId;

import java.util.Optional;

/** Follows connections as they come and go: which token each uses, presence, and their publishes in flight. */
public final class ConnectionLifecycle implements ClientLifecycleEventListener {

    private final ConnectedDevices connected;
    private final Presence presence;
    private final PublishPipeline pipeline;

    public ConnectionLifecycle(ConnectedDevices connected, Presence presence, PublishPipeline pipeline) {
        this.connected = connected;
        this.presence = presence;
        this.pipeline = pipeline;
    }

    @Override
    public void onMqttConnectionStart(@NotNull ConnectionStartInput input) {
        // nothing to do before authentication
    }

    @Override
    public void onAuthenticationSuccessful(@NotNull AuthenticationSuccessfulInput input) {
        ClientId.parse(input.getClientInformation().getClientId()).ifPresent(presence::connected);
    }

    @Override
    public void onDisconnect(@NotNull DisconnectEventInput input) {
        String clientId = input.getClientInformation().getClientId();
        pipeline.disconnected(input.getConnectionInformation());
        Optional<ConnectionLogin> login = ConnectionLogin.of(input.getConnectionInformation().getConnectionAttributeStore());
        if (login.isEmpty()) {
            return; // never authenticated: it was never online
        }
        connected.disconnected(clientId, login.get().tokenId());
        ClientId.parse(clientId).ifPresent(presence::disconnected);
    }
}
