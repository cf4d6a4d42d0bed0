package io.mqchat.broker.groups;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.mqchat.broker.delivery.ServerPublisher;
import io.mqchat.broker.presence.PresenceRevocation;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Members' devices receive their groups without subscribing themselves: the server holds a subscription to
 * {@code chat/g/{groupId}} in each member device's session. It adds them when a device connects (and drops
 * subscriptions to groups the user has left meanwhile), and moves them when chat-api announces a
 * membership change on the bus. HiveMQ then fans a group message out to the subscribed sessions: the message
 * is stored once, never once per member. Users leaving a group also lose presence subscriptions that only the
 * group allowed ({@link PresenceRevocation}). The same goes for signals (typing, never stored): each device holds
 * {@code chat/e/{user}} and {@code chat/e/g/{groupId}} of its groups, at QoS 0.
 */
public final class GroupSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(GroupSubscriptions.class);
    /** The session of a device that has just connected may not be ready yet: ask again after these delays. */
    private static final long[] RETRY_MS = {50, 200, 1000, 3000};
    /**
     * When a connecting device's subscriptions are checked once more. HiveMQ sets a clean-start session up
     * around the time the extension hears of the connection; a benchmark of 1,000 connects saw one device
     * whose just-added subscription was gone (about 1 in 1,000). The second look repairs that.
     */
    static final long RECHECK_MS = 2_000;

    private final GroupDirectory directory;
    private final GroupMembership membership;
    private final SubscriptionStore subscriptions;
    private final ServerPublisher publisher;
    private final Set<String> deviceTypes;
    private final Executor lookups;
    private final PresenceRevocation presence;
    private final Function<String, List<String>> serviceConnections;

    /**
     * @param presence           where the users who left a group go, to re-check presence subscriptions
     * @param serviceConnections the client ids of a service account's connections to this node (they subscribe to
     *                           their groups themselves, maybe shared, and lose those subscriptions when removed)
     */
    public GroupSubscriptions(GroupDirectory directory, GroupMembership membership, SubscriptionStore subscriptions,
                              ServerPublisher publisher, Set<String> deviceTypes, Executor lookups,
                              PresenceRevocation presence, Function<String, List<String>> serviceConnections) {
        this.serviceConnections = serviceConnections;
        this.presence = presence;
        this.directory = directory;
        this.membership = membership;
        this.subscriptions = subscriptions;
        this.publisher = publisher;
        this.deviceTypes = Set.copyOf(deviceTypes);
        this.lookups = lookups;
    }

    /** A device connected: give its session exactly the groups of its user, and look again a little later. */
    public void connected(ClientId client) {
        subscribeGroupsOf(client, 0);
        CompletableFuture.delayedExecutor(RECHECK_MS, TimeUnit.MILLISECONDS, lookups)
                .execute(() -> subscribeGroupsOf(client, RETRY_MS.length)); // no retries: it may have gone
    }

    private void subscribeGroupsOf(ClientId client, int attempt) {
        CompletableFuture.supplyAsync(() -> directory.groupsOf(client.userId()).keySet(), lookups)
                .thenAccept(groups -> reconcile(client, groups, attempt))
                .exceptionally(e -> {
                    log.warn("mqchat: groups of {} not subscribed: {}", client, e.toString());
                    return null;
                });
    }

    /**
     * The device's session gets its groups' topics and their signal topics, and its own signal topic
     * ({@code chat/e/{user}}); subscriptions to groups it is no longer in go.
     */
    private void reconcile(ClientId client, Set<String> groups, int attempt) {
        String clientId = client.toString();
        subscriptions.getSubscriptions(clientId).thenCompose(current -> {
            Set<String> wanted = new HashSet<>();
            groups.forEach(g -> wanted.addAll(topicsOf(g)));
            wanted.add(Topics.signals(client.userId()));
            Set<String> stale = new HashSet<>();
            for (TopicSubscription s : current) {
                String filter = s.getTopicFilter();
                boolean ofAGroup = filter.startsWith(Topics.GROUP_PREFIX) || filter.startsWith(Topics.GROUP_SIGNAL_PREFIX);
                if (!wanted.remove(filter) && ofAGroup) {
                    stale.add(filter);
                }
            }
            CompletableFuture<Void> removed = stale.isEmpty() ? CompletableFuture.completedFuture(null)
                    : subscriptions.removeSubscriptions(clientId, stale);
            return removed.thenCompose(ignored -> wanted.isEmpty() ? CompletableFuture.completedFuture(null)
                    : subscriptions.addSubscriptions(clientId, topicSubscriptions(wanted)));
        }).exceptionally(e -> {
            if (attempt < RETRY_MS.length) {
                CompletableFuture.delayedExecutor(RETRY_MS[attempt], TimeUnit.MILLISECONDS, lookups)
                        .execute(() -> reconcile(client, groups, attempt + 1));
            } else {
                log.debug("mqchat: group subscriptions of {} not set (disconnected?): {}", clientId, e.toString());
            }
            return null;
        });
    }

    /** chat-api changed a group: forget it, move subscriptions, then announce the stored event. */
    public void changed(BusMessage.GroupChange m) {
        String groupId = m.groupId();
        membership.invalidate(groupId);
        String topic = Topics.group(groupId);
        Set<String> topics = topicsOf(groupId);
        List<CompletableFuture<?>> moves = new ArrayList<>();
        for (String user : m.unsubscribe()) {
            for (String clientId : clientIds(user)) {
                moves.add(subscriptions.removeSubscriptions(clientId, topics).exceptionally(e -> null));
            }
            for (String clientId : serviceConnections.apply(user)) {
                moves.add(removeGroupSubscriptions(clientId, topics));
            }
        }
        for (String user : m.subscribe()) {
            for (String clientId : clientIds(user)) {
                // fails for devices without a session here: they are subscribed when they connect
                moves.add(subscriptions.addSubscriptions(clientId, topicSubscriptions(topics)).exceptionally(e -> null));
            }
        }
        if (!m.unsubscribe().isEmpty()) {
            // the memberships are already gone from the store: whoever shared only this group stops seeing
            // the leavers' presence, and they the others'
            presence.leftAGroup(m.unsubscribe());
        }
        if (m.payload() == null) {
            return;
        }
        CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            // every node is told the same on the bus: publish to this node's devices only
            publisher.publishHere(topic, m.payload());
            // removed members no longer get the group topic: they learn of their removal on their inbox
            m.unsubscribe().forEach(user -> publisher.publishHere(Topics.inbox(user), m.payload()));
        });
    }

    /** A service connection's subscriptions to the group's topics, plain or shared ({@code $share/{name}/...}). */
    private CompletableFuture<Void> removeGroupSubscriptions(String clientId, Set<String> topics) {
        return subscriptions.getSubscriptions(clientId).thenCompose(current -> {
            Set<String> filters = new HashSet<>();
            for (TopicSubscription s : current) {
                String unshared = Topics.unshared(s.getTopicFilter());
                if (unshared != null && topics.contains(unshared)) {
                    filters.add(s.getTopicFilter());
                }
            }
            return filters.isEmpty() ? CompletableFuture.<Void>completedFuture(null)
                    : subscriptions.removeSubscriptions(clientId, filters);
        }).exceptionally(e -> null);
    }

    private List<String> clientIds(String userId) {
        List<String> ids = new ArrayList<>(deviceTypes.size());
        deviceTypes.forEach(type -> ids.add(new ClientId(userId, type).toString()));
        return ids;
    }


    /** A group's topics a member's device holds: its messages, and its signals. */
    private static Set<String> topicsOf(String groupId) {
        return Set.of(Topics.group(groupId), Topics.groupSignals(groupId));
    }

    /** Messages at QoS 1; signals at QoS 0, as they are sent (never stored, not worth a retry). */
    private static Set<TopicSubscription> topicSubscriptions(Set<String> topics) {
        Set<TopicSubscription> result = new HashSet<>();
        topics.forEach(t -> result.add(Builders.topicSubscription().topicFilter(t)
                .qos(t.startsWith(Topics.SIGNAL_PREFIX) ? Qos.AT_MOST_ONCE : Qos.AT_LEAST_ONCE).build()));
        return result;
    }
}
