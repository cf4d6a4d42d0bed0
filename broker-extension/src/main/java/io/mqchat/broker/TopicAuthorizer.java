package io.mqchat.broker;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Topics;

import java.util.Optional;

/**
 * Default-deny topic authorization (HiveMQ takes one authorizer object for both roles).
 *
 * <ul>
 *   <li>Subscribe: a device may subscribe to its own user's inbox, exactly; nothing else.</li>
 *   <li>Publish: only to {@code chat/u/{userId}}. HiveMQ authorizes publishes after the inbound
 *       interceptors, so a chat publish reaching this point was already validated and stored by
 *       {@link ChatPublishInterceptor}; presence, system and arbitrary topics are refused.</li>
 * </ul>
 */
public final class TopicAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {

    @Override
    public void authorizeSubscribe(@NotNull SubscriptionAuthorizerInput input,
                                   @NotNull SubscriptionAuthorizerOutput output) {
        Optional<ClientId> client = ClientId.parse(input.getClientInformation().getClientId());
        String filter = input.getSubscription().getTopicFilter();
        if (client.isPresent() && filter.equals(Topics.inbox(client.get().userId()))) {
            output.authorizeSuccessfully();
        } else {
            output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED,
                    "not_authorized: you may subscribe to your own inbox " + Topics.INBOX_PREFIX + "{userId} only");
        }
    }

    @Override
    public void authorizePublish(@NotNull PublishAuthorizerInput input, @NotNull PublishAuthorizerOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (Topics.parseChatTopic(topic).filter(t -> t.kind() == Topics.Kind.INBOX).isPresent()) {
            output.authorizeSuccessfully();
        } else {
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED,
                    "invalid_topic: clients publish chat messages to " + Topics.INBOX_PREFIX + "{userId} only");
        }
    }
}
