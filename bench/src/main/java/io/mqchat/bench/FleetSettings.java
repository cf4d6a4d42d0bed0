package io.mqchat.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of the scenarios about connections rather than conversations.
 *
 * @param recipients  one-connection: receivers the one sender publishes to in turn, each its own connection and inbox
 * @param devices     many-devices: connected devices; device {@code i} sends to device {@code i + 1} (the last to the
 *                    first), so that every conversation has one sender and its seqs can be checked as 1..n
 * @param sendEvery   many-devices: each device publishes once per this interval, the devices spread evenly over it
 * @param connections idle: authenticated, subscribed connections held open
 * @param idleFor     idle: how long they are held before the broker's memory is measured (anything the broker does
 *                    some time after a CONNECT, such as a re-check of subscriptions, is then included)
 * @param roamingMessages roaming: messages sent to the user over MQTT, then fetched by its new device
 * @param historyMessages roaming: messages stored for the second history measurement (the rest written straight into
 *                    MongoDB); not more than {@code roamingMessages} for none
 * @param historyPages roaming: history pages timed at each store size
 * @param registered  broadcast: registered users; the first {@code connections} of them are online, a device each
 */
public record FleetSettings(int recipients, int devices, Duration sendEvery, int connections, Duration idleFor,
                            int roamingMessages, long historyMessages, int historyPages, int registered) {

    /** The sizes with the broadcast scenario's default of registered users. */
    public FleetSettings(int recipients, int devices, Duration sendEvery, int connections, Duration idleFor,
                         int roamingMessages, long historyMessages, int historyPages) {
        this(recipients, devices, sendEvery, connections, idleFor, roamingMessages, historyMessages, historyPages,
                BROADCAST_REGISTERED);
    }

    public static final int MAX_RECIPIENTS = 1_000;
    /**
     * Every device is a Paho client with three threads in this JVM (receiver, sender, callback), and each connection
     * takes two file descriptors here (client and broker side): 20,000 devices would need 60,000 threads.
     */
    public static final int MAX_DEVICES = 6_000;
    /**
     * The idle clients run in a child JVM, so each process holds one descriptor per connection; this stays below a
     * common hard limit of 20,000 open files with room for the broker's own.
     */
    public static final int MAX_CONNECTIONS = 15_000;
    public static final int MAX_ROAMING_MESSAGES = 100_000;
    public static final long MAX_HISTORY_MESSAGES = 5_000_000;
    /** broadcast: online devices and registered users when not given (the goal: 5,000 of 10,000 online). */
    public static final int BROADCAST_CONNECTIONS = 5_000;
    public static final int BROADCAST_REGISTERED = 10_000;
    /** broadcast: users are created in the store before the run; a million would take minutes of its own. */
    public static final int MAX_REGISTERED = 100_000;

    public static FleetSettings defaults() {
        return new FleetSettings(100, 5_000, Duration.ofSeconds(5), 10_000, Duration.ofSeconds(10), 10_000, 1_000_000, 100);
    }

    /** The problems of the fields {@code scenario} uses. */
    List<String> problems(BenchSettings.Scenario scenario) {
        List<String> p = new ArrayList<>();
        switch (scenario) {
            case oneConnection, service -> {
                if (recipients < 1 || recipients > MAX_RECIPIENTS) {
                    p.add("--recipients must be between 1 and " + MAX_RECIPIENTS + ", was " + recipients);
                }
            }
            case manyDevices -> {
                // two devices would send to each other in one conversation, whose seqs then interleave
                if (devices < 3 || devices > MAX_DEVICES) {
                    p.add("--devices must be between 3 and " + MAX_DEVICES + ", was " + devices);
                }
                if (sendEvery == null || sendEvery.compareTo(Duration.ofMillis(10)) < 0
                        || sendEvery.compareTo(Duration.ofMinutes(5)) > 0) {
                    p.add("--send-every must be between 10ms and 5m, was " + sendEvery);
                }
            }
            case idle -> {
                if (connections < 1 || connections > MAX_CONNECTIONS) {
                    p.add("--connections must be between 1 and " + MAX_CONNECTIONS + ", was " + connections);
                }
                if (idleFor == null || idleFor.isNegative() || idleFor.compareTo(Duration.ofMinutes(10)) > 0) {
                    p.add("--idle-for must be between 0s and 10m, was " + idleFor);
                }
            }
            case broadcast -> {
                if (connections < 1 || connections > MAX_CONNECTIONS) {
                    p.add("--connections must be between 1 and " + MAX_CONNECTIONS + ", was " + connections);
                }
                if (registered < Math.max(1, connections) || registered > MAX_REGISTERED) {
                    p.add("--registered must be between --connections (" + connections + ") and " + MAX_REGISTERED
                            + ", was " + registered);
                }
            }
            case roaming -> {
                // each of the senders' conversations needs more than a history page (the newest and an older one)
                if (roamingMessages < 600 || roamingMessages > MAX_ROAMING_MESSAGES
                        || roamingMessages % RoamingBenchmark.SENDERS != 0) {
                    p.add("--roaming-messages must be a multiple of " + RoamingBenchmark.SENDERS + " between 600 and "
                            + MAX_ROAMING_MESSAGES + ", was " + roamingMessages);
                }
                if (historyPages < 1 || historyPages > 10_000) {
                    p.add("--history-pages must be between 1 and 10000, was " + historyPages);
                }
                if (historyMessages < 0 || historyMessages > MAX_HISTORY_MESSAGES) {
                    p.add("--history-messages must be between 0 (none) and " + MAX_HISTORY_MESSAGES + ", was "
                            + historyMessages);
                }
            }
            default -> {
            }
        }
        return p;
    }

    /** Messages each device sends in {@code duration}: one per interval. */
    int messagesIn(Duration duration) {
        return duration == null || sendEvery == null || sendEvery.isZero() ? 0
                : (int) Math.min(Integer.MAX_VALUE, duration.toNanos() / sendEvery.toNanos());
    }
}
