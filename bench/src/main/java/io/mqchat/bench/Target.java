package io.mqchat.bench;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A broker under load: how to connect, and what it stored. */
interface Target extends BenchClient.Connector, AutoCloseable {

    /** Short name for the report. */
    String name();

    /** Whether deliveries carry mqchat's envelope (id, seq, from) and PUBACK means stored. */
    boolean enveloped();

    /**
     * Where a service account's instances connect: the same broker, their credentials those of a service account
     * (the user becomes one at its first connection). An open broker has no accounts: the same as a user.
     */
    default BenchClient.Connector asService() {
        return this;
    }

    /** Makes the users known to the broker (no-op for an open broker). */
    void createUsers(List<String> userIds);

    /** Messages stored for a conversation, or -1 when this target stores nothing. */
    long storedCount(String conv);

    /**
     * Makes a group of these users (the first is its owner) known to the broker, before they connect;
     * no-op for an open broker.
     */
    default void createGroup(String groupId, List<String> members) {
    }

    /** Whether the broker subscribes its members' devices to a group's topic itself (else each subscribes). */
    default boolean subscribesGroupMembers() {
        return false;
    }

    /** Messages stored from these senders in any conversation, or -1 when this target stores nothing. */
    default long storedFrom(Collection<String> senders) {
        return -1;
    }

    /** The topic filters the broker holds for a client's session, when it can tell (for diagnostics). */
    default Optional<String> subscriptionsOf(String clientId) {
        return Optional.empty();
    }

    /** Tells the broker that the group's membership changed, so that it forgets what it cached about it. */
    default void groupChanged(String groupId) {
    }

    /** Lines about the broker's internal timings, for the report (empty when there are none). */
    default List<String> internals() {
        return List.of();
    }

    @Override
    void close();
}
