package io.mqchat.common.webhooks;

import java.util.List;
import java.util.Set;

/** The event names an endpoint may subscribe to. */
public final class WebhookEvents {

    /** A chat message was stored (direct or group, sent over MQTT). */
    public static final String MESSAGE_STORED = "message.stored";
    /** A stored direct or group message whose recipient had no device online: one per offline recipient. */
    public static final String MESSAGE_OFFLINE = "message.offline";
    /** A user's first device came online. */
    public static final String USER_ONLINE = "user.online";
    /** A user's last device went offline (after the presence grace period). */
    public static final String USER_OFFLINE = "user.offline";
    /** A group's members, roles, mutes or settings changed. */
    public static final String GROUP_CHANGED = "group.changed";
    /** Sent only by an admin's test-fire, whatever the endpoint subscribed to. */
    public static final String TEST = "webhook.test";

    /** What an endpoint may subscribe to, in documentation order. */
    public static final List<String> SUBSCRIBABLE = List.of(MESSAGE_STORED, MESSAGE_OFFLINE, USER_ONLINE, USER_OFFLINE,
            GROUP_CHANGED);
    private static final Set<String> KNOWN = Set.copyOf(SUBSCRIBABLE);

    private WebhookEvents() {
    }

    public static boolean isSubscribable(String event) {
        return event != null && KNOWN.contains(event);
    }
}
