package io.mqchat.broker.webhooks;

import io.mqchat.broker.groups.GroupMembership;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookEvents;
import io.mqchat.common.webhooks.WebhookOutbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code message.stored} and {@code message.offline} for the messages this node stored. Called on the pipeline's
 * callback thread after the store answered; it only queues: the offline recipients are found on the outbox's
 * thread (group members from the broker's membership cache, presence in one Redis batch per
 * {@value #PRESENCE_CHUNK} recipients).
 */
public final class MessageWebhooks {

    /** Recipients whose presence is read in one Redis round trip. */
    static final int PRESENCE_CHUNK = 500;

    private final WebhookOutbox outbox;
    private final PresenceStore presence;
    private final GroupMembership groups;

    public MessageWebhooks(WebhookOutbox outbox, PresenceStore presence, GroupMembership groups) {
        this.outbox = outbox;
        this.presence = presence;
        this.groups = groups;
    }

    /** A message was stored for the first time (not a retry's duplicate). */
    public void stored(ChatMessage message) {
        outbox.offer(WebhookEvents.MESSAGE_STORED, message.ts(), WebhookBody.MessageStored.of(message));
        if (outbox.wants(WebhookEvents.MESSAGE_OFFLINE)) {
            outbox.offerDeferred(sink -> {
                for (String user : offlineRecipients(message)) {
                    sink.add(WebhookEvents.MESSAGE_OFFLINE, message.ts(), WebhookBody.MessageOffline.of(user, message));
                }
            });
        }
    }

    private List<String> offlineRecipients(ChatMessage message) {
        List<String> recipients = new ArrayList<>();
        if (message.conv().isGroup()) {
            Optional<GroupDirectory.Snapshot> group;
            try {
                group = groups.snapshot(message.conv().first()).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the group's members could not be read: " + e, e);
            }
            group.ifPresent(g -> g.members().keySet().stream().filter(u -> !u.equals(message.from()))
                    .forEach(recipients::add));
        } else if (message.to() != null && !message.to().equals(message.from())) {
            recipients.add(message.to());
        }
        List<String> offline = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i += PRESENCE_CHUNK) {
            List<String> chunk = recipients.subList(i, Math.min(recipients.size(), i + PRESENCE_CHUNK));
            Set<String> online = presence.withDevices(chunk);
            chunk.stream().filter(u -> !online.contains(u)).forEach(offline::add);
        }
        return offline;
    }
}
