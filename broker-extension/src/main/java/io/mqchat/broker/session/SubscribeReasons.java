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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each distinct refusal reason once per SUBSCRIBE. HiveMQ joins the reason strings of all refused filters of a
 * SUBSCRIBE into the SUBACK's one reason string ({@code IncomingSubscribeService}), and a SUBACK whose string
 * passes 65,535 bytes is never built: a SUBSCRIBE with a thousand refused filters got no SUBACK at all. So
 * every refused filter keeps its reason code, and the first refusal of each kind carries the text.
 *
 * <p>As the SUBSCRIBE's inbound interceptor this stamps it with a number unique on this node (a user property,
 * which the authorizer sees); {@link #once} wraps the authorizer's output so that a reason already given for that
 * SUBSCRIBE is left out. What was given is kept in one entry of the connection's attribute store, for the last
 * few SUBSCRIBEs with a refusal only: a connection whose subscriptions are all allowed keeps nothing there.
 */
public final class SubscribeReasons implements SubscribeInboundInterceptor {

    static final String STAMP = "mqchat-subscribe";
    /** The reasons given: {@code {stamp}={mark},{mark},;} per SUBSCRIBE with a refusal, oldest first. */
    private static final String TOLD = "mqchat.told";
    private static final int KEPT = 8;

    private final AtomicLong stamps = new AtomicLong();

    @Override
    public void onInboundSubscribe(@NotNull SubscribeInboundInput input, @NotNull SubscribeInboundOutput output) {
        ModifiableUserProperties properties = output.getSubscribePacket().getUserProperties();
        properties.removeName(STAMP); // a client's own value would let it pick another SUBSCRIBE's record
        properties.addUserProperty(STAMP, Long.toString(stamps.incrementAndGet()));
    }

    /** {@code output}, giving each refusal reason at most once per SUBSCRIBE. */
    SubscriptionAuthorizerOutput once(@NotNull SubscriptionAuthorizerInput input,
                                      @NotNull SubscriptionAuthorizerOutput output) {
        String stamp = input.getUserProperties().getFirst(STAMP).orElse("none");
        return new Once(output, input.getConnectionInformation().getConnectionAttributeStore(), stamp, this);
    }

    /**
     * Records that {@code reason} was given for the SUBSCRIBE {@code stamp}; false if it was given already.
     * Locked: the refusals of two SUBSCRIBEs of a connection (rare) must not overwrite each other's record.
     */
    private synchronized boolean firstTime(ConnectionAttributeStore attributes, String stamp, String reason) {
        String mark = Integer.toHexString(reason.hashCode()) + ",";
        String head = stamp + "=";
        List<String> records = new ArrayList<>();
        for (String record : attributes.getAsString(TOLD).orElse("").split(";")) {
            if (!record.isEmpty()) {
                records.add(record);
            }
        }
        int mine = -1;
        for (int i = 0; i < records.size() && mine < 0; i++) {
            if (records.get(i).startsWith(head)) {
                mine = i;
            }
        }
        if (mine >= 0 && ("," + records.get(mine).substring(head.length())).contains("," + mark)) {
            return false;
        }
        if (mine >= 0) {
            records.set(mine, records.get(mine) + mark);
        } else {
            records.add(head + mark);
            while (records.size() > KEPT) {
                records.remove(0);
            }
        }
        attributes.putAsString(TOLD, String.join(";", records) + ";");
        return true;
    }

    private record Once(SubscriptionAuthorizerOutput output, ConnectionAttributeStore attributes, String stamp,
                        SubscribeReasons reasons) implements SubscriptionAuthorizerOutput {

        @Override
        public void failAuthorization(@NotNull SubackReasonCode code, @NotNull String reason) {
            if (reasons.firstTime(attributes, stamp, reason)) {
                output.failAuthorization(code, reason);
            } else {
                output.failAuthorization(code);
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
