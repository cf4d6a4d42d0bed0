package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

import java.time.Duration;

/**
 * Each distinct refusal reason once per SUBSCRIBE. HiveMQ joins the reason strings of all refused filters of a
 * SUBSCRIBE into the SUBACK's one reason string ({@code IncomingSubscribeService}), and a SUBACK whose string
 * passes 65,535 bytes is never built: a SUBSCRIBE with a thousand refused filters got no SUBACK at all. So
 * every refused filter keeps its reason code, and the first refusal of each kind carries the text.
 *
 * <p>As the SUBSCRIBE's inbound interceptor this stamps it with a per-connection number (a user property, which
 * the authorizer sees); {@link #once} wraps the authorizer's output so that a reason already given for that
 * SUBSCRIBE is left out. What was given is kept in the connection's attribute store for the last few
 * SUBSCRIBEs only. A connection's extension work runs one task at a time, so no further locking is needed.
 */
public final class SubscribeReasons implements SubscribeInboundInterceptor {

    static final String STAMP = "mqchat-subscribe";
    private static final String COUNTER = "mqchat.subscribes";
    private static final String TOLD_PREFIX = "mqchat.told:";
    private static final int KEPT = 8;

    @Override
    public void onInboundSubscribe(@NotNull SubscribeInboundInput input, @NotNull SubscribeInboundOutput output) {
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
        long n = attributes.getAsString(COUNTER).map(Long::parseLong).orElse(0L) + 1;
        attributes.putAsString(COUNTER, Long.toString(n));
        attributes.remove(TOLD_PREFIX + (n - KEPT));
        ModifiableUserProperties properties = output.getSubscribePacket().getUserProperties();
        properties.removeName(STAMP); // a client's own value would let it pick another SUBSCRIBE's record
        properties.addUserProperty(STAMP, Long.toString(n));
    }

    /** {@code output}, giving each refusal reason at most once per SUBSCRIBE. */
    SubscriptionAuthorizerOutput once(@NotNull SubscriptionAuthorizerInput input,
                                      @NotNull SubscriptionAuthorizerOutput output) {
        String stamp = input.getUserProperties().getFirst(STAMP).orElse("none");
        return new Once(output, input.getConnectionInformation().getConnectionAttributeStore(), TOLD_PREFIX + stamp);
    }

    private record Once(SubscriptionAuthorizerOutput output, ConnectionAttributeStore attributes, String key)
            implements SubscriptionAuthorizerOutput {

        @Override
        public void failAuthorization(@NotNull SubackReasonCode code, @NotNull String reason) {
            String told = attributes.getAsString(key).orElse("");
            String mark = Integer.toHexString(reason.hashCode()) + ",";
            if (("," + told).contains("," + mark)) {
                output.failAuthorization(code);
            } else {
                attributes.putAsString(key, told + mark);
                output.failAuthorization(code, reason);
            }
        }

        @Override
        public void authorizeSuccessfully() {
            output.authorizeSuccessfully();
        }

        @Override
        public void failAuthorization() {
            output.failAuthorization();
        }

        @Override
        public void failAuthorization(@NotNull SubackReasonCode code) {
            output.failAuthorization(code);
        }

        @Override
        public void disconnectClient() {
            output.disconnectClient();
        }

        @Override
        public void disconnectClient(@NotNull DisconnectReasonCode code) {
            output.disconnectClient(code);
        }

        @Override
        public void disconnectClient(@NotNull DisconnectReasonCode code, @NotNull String reason) {
            output.disconnectClient(code, reason);
        }

        @Override
        public void nextExtensionOrDefault() {
            output.nextExtensionOrDefault();
        }

        @Override
        public @NotNull Async<SubscriptionAuthorizerOutput> async(@NotNull Duration timeout,
                                                                  @NotNull TimeoutFallback fallback) {
            return output.async(timeout, fallback);
        }

        @Override
        public @NotNull Async<SubscriptionAuthorizerOutput> async(@NotNull Duration timeout) {
            return output.async(timeout);
        }
    }
}
