package io.mqchat.broker.presence;

import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.mqchat.common.protocol.ClientId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Takes presence subscriptions away once the consent behind them has ended. A subscription to
 * {@code chat/p/{user}} is authorized once, at SUBSCRIBE; when a user leaves a group (left, removed,
 * dissolved) the members they shared it with may no longer see them, nor they the members — unless another
 * group or a mutual conversation still connects them. So for each such user this node looks at the sessions
 * subscribed to their presence and at the presence subscriptions of their own devices, asks
 * {@link PresenceVisibility} again, and removes what it no longer allows; a new SUBSCRIBE is then refused
 * too. Only subscriptions that exist are checked, not every pair of members. Every node hears the change on
 * the bus and does this for its own sessions.
 */
public final class PresenceRevocation {

    private static final Logger log = LoggerFactory.getLogger(PresenceRevocation.class);

    private final PresenceVisibility visibility;
    private final SubscriptionStore subscriptions;
    private final Set<String> deviceTypes;
    private final Executor lookups;
    private final Function<String, List<String>> serviceConnections;

    /** @param serviceConnections the client ids of a service account's connections to this node */
    public PresenceRevocation(PresenceVisibility visibility, SubscriptionStore subscriptions, Set<String> deviceTypes,
                              Executor lookups, Function<String, List<String>> serviceConnections) {
        this.serviceConnections = serviceConnections;
        this.visibility = visibility;
        this.subscriptions = subscriptions;
        this.deviceTypes = Set.copyOf(deviceTypes);
        this.lookups = lookups;
    }

    /** {@code users} are no longer members of a group: re-check the presence subscriptions between them and others. */
    public CompletableFuture<Void> leftAGroup(Collection<String> users) {
        visibility.forgetAll(users); // what the group allowed was cached
        return recheck(users);
    }

    /**
     * What {@code user} chose about {@code other} changed (a block, a contact; {@code other} null: a presence
     * setting): forget what was decided and re-check the presence subscriptions of and to {@code user} now.
     */
    public CompletableFuture<Void> relationChanged(String user, String other) {
        visibility.forget(user, other);
        return recheck(other == null ? List.of(user) : List.of(user, other));
    }

    private CompletableFuture<Void> recheck(Collection<String> users) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (String user : users) {
            if (Ids.isValidUserId(user)) {
                checks.add(recheckWatchersOf(user));
                checks.add(recheckWatchedBy(user));
            }
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).exceptionally(e -> {
            log.warn("mqchat presence: re-checking subscriptions of {} failed: {}", users, e.toString());
            return null;
        });
    }

    /** The sessions subscribed to {@code user}'s presence. */
    private CompletableFuture<Void> recheckWatchersOf(String user) {
        String topic = Topics.presence(user);
        Set<String> watchers = ConcurrentHashMap.newKeySet();
        return subscriptions.iterateAllSubscribersWithTopicFilter(topic,
                        (context, subscriber) -> watchers.add(subscriber.getClientId()), lookups)
                .thenCompose(ignored -> {
                    List<CompletableFuture<Void>> removals = new ArrayList<>();
                    for (String clientId : watchers) {
                        ClientId.parse(clientId).filter(c -> !c.userId().equals(user))
                                .ifPresent(c -> removals.add(removeUnlessVisible(clientId, c.userId(), user)));
                    }
                    return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new));
                });
    }

    /** The presence subscriptions of {@code user}'s own devices (on this node). */
    private CompletableFuture<Void> recheckWatchedBy(String user) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        List<String> clientIds = new ArrayList<>(serviceConnections.apply(user));
        deviceTypes.forEach(type -> clientIds.add(new ClientId(user, type).toString()));
        for (String clientId : clientIds) {
            checks.add(subscriptions.getSubscriptions(clientId).exceptionally(e -> Set.of()).thenCompose(subs -> {
                List<CompletableFuture<Void>> removals = new ArrayList<>();
                for (TopicSubscription s : subs) {
                    subjectOf(s.getTopicFilter()).filter(subject -> !subject.equals(user))
                            .ifPresent(subject -> removals.add(removeUnlessVisible(clientId, user, subject)));
                }
                return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new));
            }));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> removeUnlessVisible(String clientId, String viewer, String subject) {
        return visibility.maySee(viewer, subject).thenCompose(may -> may ? CompletableFuture.<Void>completedFuture(null)
                : subscriptions.removeSubscription(clientId, Topics.presence(subject)));
    }

    private static Optional<String> subjectOf(String filter) {
        if (!filter.startsWith(Topics.PRESENCE_PREFIX)) {
            return Optional.empty();
        }
        String subject = filter.substring(Topics.PRESENCE_PREFIX.length());
        return Ids.isValidUserId(subject) ? Optional.of(subject) : Optional.empty();
    }
}
