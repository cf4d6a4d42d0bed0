package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.mqchat.broker.groups.GroupMembership;
import io.mqchat.broker.ingest.ChatPublishInterceptor;
import io.mqchat.broker.presence.PresenceVisibility;
import io.mqchat.common.presence.PresenceAudience;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Topics;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Default-deny topic authorization (HiveMQ takes one authorizer object for both roles).
 *
 * <ul>
 *   <li>Subscribe: exactly your own inbox {@code chat/u/{you}}, your device's response topic
 *       {@code chat/res/{you}/{device}}, and the presence {@code chat/p/{user}} of users you may see
 *       ({@link PresenceVisibility}), and {@code chat/g/{group}} of groups you are in (members' devices are
 *       subscribed to their groups by the server anyway); no wildcards, nothing else. A service account's
 *       connections may also share their inbox and groups: {@code $share/{name}/chat/u/{you}} and
 *       {@code $share/{name}/chat/g/{group}}. Signals: {@code chat/e/{you}} and {@code chat/e/g/{group}} of your
 *       groups (the server subscribes devices to both).</li>
 *   <li>Publish: nothing. {@link ChatPublishInterceptor} handles every client publish and prevents the broker's
 *       own delivery of each (it publishes the stored message itself), and HiveMQ does not authorize a prevented
 *       publish. What does reach this authorizer skipped the interceptors: a CONNECT's Last Will (refused by the
 *       authenticator first), or a publish of a connection that has no interceptors.</li>
 * </ul>
 */
public final class TopicAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {

    static final String SHARED_REFUSED = "not_authorized: shared subscriptions are for service accounts: "
            + Topics.SHARED_PREFIX + "{name}/" + Topics.INBOX_PREFIX + "{serviceId} and " + Topics.SHARED_PREFIX
            + "{name}/" + Topics.GROUP_PREFIX + "{group} of its groups ({name}: 1-32 letters, digits, '_' or '-')";

    private final PresenceVisibility presence;
    private final GroupMembership groups;
    private final Duration timeout;
    private final Executor callbacks;
    private final SubscribeReasons reasons;

    public TopicAuthorizer(PresenceVisibility presence, GroupMembership groups, Duration timeout, Executor callbacks,
                           SubscribeReasons reasons) {
        this.reasons = reasons;
        this.presence = presence;
        this.groups = groups;
        this.timeout = timeout;
        this.callbacks = callbacks;
    }

    @Override
    public void authorizeSubscribe(@NotNull SubscriptionAuthorizerInput input,
                                   @NotNull SubscriptionAuthorizerOutput output) {
        decideSubscribe(input, reasons.once(input, output)); // one copy of each reason per SUBACK
    }

    private void decideSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        Optional<ClientId> client = ClientId.parse(input.getClientInformation().getClientId());
        String filter = input.getSubscription().getTopicFilter();
        if (client.isEmpty()) {
            refuse(output);
            return;
        }
        ClientId c = client.get();
        if (filter.startsWith(Topics.SHARED_PREFIX)) {
            Optional<String> unshared = Topics.unsharedFilter(filter);
            boolean service = ConnectionLogin.isService(input.getConnectionInformation().getConnectionAttributeStore());
            if (!service || unshared.isEmpty() || !(unshared.get().equals(Topics.inbox(c.userId()))
                    || unshared.get().startsWith(Topics.GROUP_PREFIX))) {
                output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, SHARED_REFUSED);
                return;
            }
            filter = unshared.get(); // then as the plain filter: the inbox, or a group of which it is a member
        }
        if (filter.equals(Topics.inbox(c.userId())) || filter.equals(Topics.response(c.userId(), c.deviceType()))
                || filter.equals(Topics.signals(c.userId()))) {
            output.authorizeSuccessfully();
            return;
        }
        if (filter.startsWith(Topics.GROUP_PREFIX) || filter.startsWith(Topics.GROUP_SIGNAL_PREFIX)) {
            Optional<Topics.ChatTopic> group = filter.startsWith(Topics.GROUP_PREFIX) ? Topics.parseChatTopic(filter)
                    : Topics.parseSignalTopic(filter);
            if (group.isEmpty()) {
                refuse(output);
                return;
            }
            Async<SubscriptionAuthorizerOutput> async = output.async(timeout, TimeoutFallback.FAILURE);
            groups.member(group.get().id(), c.userId()).whenCompleteAsync((member, error) -> {
                try {
                    if (error == null && member.isPresent()) {
                        output.authorizeSuccessfully();
                    } else {
                        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED,
                                "not_authorized: you are not a member of this group");
                    }
                } finally {
                    async.resume();
                }
            }, callbacks);
            return;
        }
        if (filter.startsWith(Topics.PRESENCE_PREFIX)) {
            String subject = filter.substring(Topics.PRESENCE_PREFIX.length());
            if (!Ids.isValidUserId(subject)) {
                refuse(output);
                return;
            }
            Async<SubscriptionAuthorizerOutput> async = output.async(timeout, TimeoutFallback.FAILURE);
            presence.maySee(c.userId(), subject).whenCompleteAsync((may, error) -> {
                try {
                    if (error == null && may) {
                        output.authorizeSuccessfully();
                    } else {
                        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED,
                                "not_authorized: " + PresenceAudience.REFUSAL);
                    }
                } finally {
                    async.resume();
                }
            }, callbacks);
            return;
        }
        refuse(output);
    }

    private static void refuse(SubscriptionAuthorizerOutput output) {
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not_authorized: you may subscribe to your inbox "
                + Topics.INBOX_PREFIX + "{you}, " + Topics.RESPONSE_PREFIX + "{you}/{device} and "
                + Topics.PRESENCE_PREFIX + "{user} of your contacts, " + Topics.GROUP_PREFIX + "{group} of your groups and "
                + "the signals " + Topics.SIGNAL_PREFIX + "{you} and " + Topics.GROUP_SIGNAL_PREFIX + "{group}");
    }

    @Override
    public void authorizePublish(@NotNull PublishAuthorizerInput input, @NotNull PublishAuthorizerOutput output) {
        if (input.getPublishPacket() instanceof WillPublishPacket) {
            // HiveMQ authorizes a CONNECT's will here; it would later be published past the interceptors
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, TokenAuthenticator.WILL_REFUSED);
            return;
        }
        String topic = input.getPublishPacket().getTopic();
        if (Topics.parseChatTopic(topic).isEmpty()) {
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "invalid_topic: clients publish chat messages to "
                    + Topics.INBOX_PREFIX + "{userId} or " + Topics.GROUP_PREFIX + "{groupId} only");
        } else {
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED,
                    "not_authorized: this publish did not pass the chat pipeline");
        }
    }
}
