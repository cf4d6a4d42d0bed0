package io.mqchat.bench;

import java.util.List;

/** A broker under load: how to connect, and what it stored. */
interface Target extends BenchClient.Connector, AutoCloseable {

    /** Short name for the report. */
    String name();

    /** Whether deliveries carry mqchat's envelope (id, seq, from) and PUBACK means stored. */
    boolean enveloped();

    /** Makes the users known to the broker (no-op for an open broker). */
    void createUsers(List<String> userIds);

    /** Messages stored for a conversation, or -1 when this target stores nothing. */
    long storedCount(String conv);

    /** Lines about the broker's internal timings, for the report (empty when there are none). */
    default List<String> internals() {
        return List.of();
    }

    @Override
    void close();
}
