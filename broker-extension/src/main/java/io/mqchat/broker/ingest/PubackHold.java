package io.mqchat.broker.ingest;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.puback.PubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;

/**
 * Holds the success PUBACKs of queued chat messages until they are stored and delivered. One instance serves
 * every connection: it holds no state of its own and finds the connection's {@link ConnectionPublishes} only
 * when a PUBACK is written; a connection that never published has none and its PUBACKs pass.
 */
final class PubackHold implements PubackOutboundInterceptor {

    private final PublishPipeline pipeline;

    PubackHold(PublishPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void onOutboundPuback(@NotNull PubackOutboundInput input, @NotNull PubackOutboundOutput output) {
        int packetId = input.getPubackPacket().getPacketIdentifier();
        AckReasonCode code = input.getPubackPacket().getReasonCode();
        if (code != AckReasonCode.SUCCESS && code != AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            return; // a refusal: nothing to hold
        }
        pipeline.existingPublishesOf(input.getConnectionInformation())
                .ifPresent(connection -> connection.pubackOutbound(packetId, output));
    }
}
