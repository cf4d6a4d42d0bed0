package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.interceptor.pubrec.PubrecOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundOutput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * QoS 2 is not offered (the broker's maximum QoS is 1), and a success PUBREC must never reach a client: HiveMQ
 * answers a resent QoS 2 PUBLISH whose packet id it still holds with PUBREC straight from its flow handler,
 * without any interceptor or the store, so "PUBREC means stored" cannot hold. Registered per connection, this
 * holds every success PUBREC, closes the connection with 0x9B QoS not supported, and resumes only once the
 * connection is closed, so the PUBREC is never written. Error PUBRECs (a refusal) pass.
 */
public final class PubrecGuard implements PubrecOutboundInterceptor {

    public static final String REASON = "qos_not_supported: chat publishes use QoS 1 (PUBACK means stored); QoS 2 is refused";
    private static final Logger log = LoggerFactory.getLogger(PubrecGuard.class);

    private final ClientService clients;
    private final Duration hold;

    /** @param hold how long a PUBREC is held at most; HiveMQ writes it when this runs out, so keep it long */
    public PubrecGuard(@NotNull ClientService clients, @NotNull Duration hold) {
        this.clients = clients;
        this.hold = hold;
    }

    @Override
    public void onOutboundPubrec(@NotNull PubrecOutboundInput input, @NotNull PubrecOutboundOutput output) {
        AckReasonCode code = input.getPubrecPacket().getReasonCode();
        if (code != AckReasonCode.SUCCESS && code != AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            return;
        }
        String clientId = input.getClientInformation().getClientId();
        Async<PubrecOutboundOutput> async = output.async(hold);
        // the future completes when the connection's channel is closed: the held PUBREC then cannot be written
        disconnect(clients, clientId).whenComplete((closed, error) -> {
            if (error != null || !Boolean.TRUE.equals(closed)) {
                // not closed by us (already gone, or the call failed): the PUBREC goes to a closing channel at best
                log.warn("mqchat: QoS 2 PUBREC of {} released without a disconnect: {}", clientId,
                        error != null ? error.toString() : "client not connected");
            }
            async.resume();
        });
    }

    /** Closes {@code clientId}'s connection with 0x9B and {@link #REASON} (what a QoS 2 publish gets). */
    public static java.util.concurrent.CompletableFuture<Boolean> disconnect(ClientService clients, String clientId) {
        log.debug("mqchat: disconnecting {}: QoS 2 publish", clientId);
        return clients.disconnectClient(clientId, true, DisconnectReasonCode.QOS_NOT_SUPPORTED, REASON);
    }
}
