package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.api.devices.BrokerBus;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Topics;
import io.mqchat.common.store.GroupEventLog;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookEvents;
import io.mqchat.common.webhooks.WebhookOutbox;
import io.mqchat.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * Tells everyone about a group change that is already stored: writes the event message into the group
 * conversation ({@link GroupEventLog}), then sends {@link BusMessage#group} so that the broker nodes forget
 * their cached membership, move the members' subscriptions and deliver the event.
 *
 * <p>The membership write is the record. If storing the event or sending on the bus fails afterwards, the
 * change stands and the request still succeeds; the failure is logged as an error (never swallowed
 * silently). The bus message is sent even when the event could not be stored, without a payload, so that
 * subscriptions and caches still follow the change.
 */
@Component
public class GroupAnnouncer {

    private static final Logger log = LoggerFactory.getLogger(GroupAnnouncer.class);

    private final GroupEventLog events;
    private final BrokerBus bus;
    private final WebhookOutbox webhooks;

    public GroupAnnouncer(GroupEventLog events, BrokerBus bus, WebhookOutbox webhooks) {
        this.events = events;
        this.bus = bus;
        this.webhooks = webhooks;
    }

    /**
     * Takes the seq of the event that will announce new members, before they are stored, so that their
     * {@code fromSeq} can point at it. Called before any write: if it fails, nothing has changed and the
     * caller gets a 503.
     */
    public long reserveSeq(String groupId) {
        try {
            return events.reserveSeq(groupId);
        } catch (RuntimeException e) {
            log.warn("Cannot reserve a seq for an event of group {}: {}", groupId, e.toString());
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "The group's message sequence is unavailable; try again later.");
        }
    }

    /** Announces a change that moves no subscriptions (roles, mutes, settings). */
    public void announce(String groupId, String actor, ObjectNode body) {
        announce(groupId, null, actor, body, List.of(), List.of());
    }

    /**
     * Stores the event (at {@code reservedSeq}, or the next seq when null) and sends it on the bus.
     *
     * @param subscribe   users whose devices now get the group topic
     * @param unsubscribe users whose devices no longer get it (they receive the event in their inbox)
     */
    public void announce(String groupId, Long reservedSeq, String actor, ObjectNode body,
                         Collection<String> subscribe, Collection<String> unsubscribe) {
        String event = body.path("event").asText();
        String payload = null;
        try {
            ChatMessage stored = reservedSeq == null ? events.append(groupId, actor, body)
                    : events.write(groupId, reservedSeq, actor, body);
            payload = new String(stored.toJsonBytes(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            log.error("Group {}: the change is stored but its '{}' event could not be written; members will not "
                    + "see it in the conversation", groupId, event, e);
        }
        // here, once per change (not on each broker node the bus reaches); only queued
        webhooks.offer(WebhookEvents.GROUP_CHANGED, System.currentTimeMillis(),
                new WebhookBody.GroupChanged(groupId, event, actor, body));
        try {
            bus.send(BusMessage.group(groupId, subscribe, unsubscribe, payload));
        } catch (RuntimeException e) {
            log.error("Group {}: the change is stored but the '{}' bus message could not be sent; broker nodes "
                    + "keep stale membership and subscriptions until their cache expires", groupId, event, e);
        }
    }

    /**
     * A notice (a server event, not stored) to every device of each user: invitations, join requests. It is a
     * convenience — the pending record is the truth and is listed over REST — so a failure is only logged.
     */
    public void tell(Collection<String> users, String eventJson) {
        for (String user : users) {
            try {
                bus.send(BusMessage.publish(Topics.inbox(user), eventJson));
            } catch (RuntimeException e) {
                log.warn("Notice to {} not sent: {}", user, e.toString());
            }
        }
    }
}
