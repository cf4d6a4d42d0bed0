package io.mqchat.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark run's parameters, validated as a whole.
 *
 * @param scenario         direct messages between pairs, fan-out in one group, or the pairs across two nodes
 * @param group            the group scenario's shape (ignored for direct messages)
 * @param fleet            the sizes of the one-connection, many-devices and idle scenarios (ignored by the others)
 * @param pairs            sender/receiver pairs (one conversation each; direct messages only)
 * @param messages         measured messages per sender (an upper bound when {@code duration} is set); one-connection:
 *                         per recipient; many-devices: per device, {@code duration / sendEvery}
 * @param warmup           messages per sender (one-connection: per recipient) sent, acknowledged and delivered
 *                         before measuring
 * @param inflight         QoS 1 publishes each sender keeps in flight
 * @param payloadBytes     length of the message body text
 * @param duration         optional: stop the measured phase of each side after this long; many-devices: how long
 *                         the measured phase sends
 * @param mqtt3            use MQTT 3.1.1 clients instead of MQTT 5
 * @param storeBatchSize   the extension's insertMany batch size
 * @param storeWriters     the extension's concurrent insert batches
 * @param storeTimeout     the extension's store timeout (refused PUBACK after it)
 * @param mongoUri         external MongoDB (database in the path) or null for embedded H2 on a file
 * @param redisAddress     external Redis ({@code redis://host:port}) or null for embedded Redis
 * @param maxPhaseTime     hard limit per phase (warm-up or measured) of one side
 * @param sides            which sides to run
 * @param tcpNoDelay       clients turn Nagle's algorithm off (Paho leaves it on)
 * @param rate             publishes per second across all senders, 0 for as fast as the in-flight window allows
 * @param acrossFirst      cross-node: run the side across nodes before the same-node side (to see what the order does)
 */
public record BenchSettings(Scenario scenario, GroupSettings group, FleetSettings fleet, int pairs, int messages, int warmup, int inflight, int payloadBytes, Duration duration,
                            boolean mqtt3, int storeBatchSize, int storeWriters, Duration storeTimeout,
                            String mongoUri, String redisAddress, Duration maxPhaseTime, Sides sides,
                            boolean tcpNoDelay, int rate, boolean acrossFirst) {

    /** The refused size of a run: messages across all senders, warm-up included. */
    public static final long MAX_TOTAL_MESSAGES = 1_000_000;
    public static final int MAX_PAIRS = 500;
    /** The refused size of a group run: member deliveries (messages x members), warm-up included. */
    public static final long MAX_TOTAL_DELIVERIES = 5_000_000;
    public static final int MAX_RATE = 100_000;
    /** broadcast: timed (and warm-up) broadcasts per side. */
    public static final int MAX_BROADCASTS = 100;

    /** What load to run. */
    public enum Scenario {
        /** N sender/receiver pairs, one direct conversation each. */
        direct("direct"),
        /** A few senders in one large group, every member connected. */
        group("group"),
        /**
         * The direct pairs on two mqchat broker nodes: receivers on the senders' node (baseline), then receivers
         * on a second node in a child JVM (every delivery forwarded over the Redis bus).
         */
        crossNode("cross-node"),
        /** One sender connection (a game server) with many publishes in flight, round-robin over many inboxes. */
        oneConnection("one-connection"),
        /** {@code one-connection} with a service account as the sender (a game server's own account). */
        service("service"),
        /** Thousands of connected devices, each sending to a peer every few seconds, for a fixed time. */
        manyDevices("many-devices"),
        /** Many authenticated, subscribed, idle connections: what each costs the broker in memory. */
        idle("idle"),
        /** A new device of a user fetches everything by sync (MQTT and REST); history pages at two store sizes. */
        roaming("roaming"),
        /** An operator's broadcast to every registered user, many of them online: time to every device, store writes. */
        broadcast("broadcast");

        private final String cliName;

        Scenario(String cliName) {
            this.cliName = cliName;
        }

        /** The name on the command line. */
        public String cliName() {
            return cliName;
        }

        /** Parses a command-line name ({@code direct}, {@code group}, {@code cross-node}, …). */
        public static Scenario ofCliName(String name) {
            for (Scenario s : values()) {
                if (s.cliName().equalsIgnoreCase(name.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scenario '" + name + "' (" + names() + ")");
        }

        static String names() {
            return String.join(", ", java.util.Arrays.stream(values()).map(Scenario::cliName).toList());
        }

        /** Whether the load is the direct sender/receiver pairs (one sender connection per pair). */
        boolean pairs() {
            return this == direct || this == crossNode;
        }

        /** Whether the table has the load rows (idle and roaming have their own measurements only). */
        boolean sendsMessages() {
            return this != idle && this != roaming && this != broadcast;
        }

        /** Measured messages per sender when not given (one-connection: per recipient). */
        int defaultMessages() {
            return switch (this) {
                case group -> 50;
                case oneConnection, service -> 50;
                case broadcast -> 5;
                default -> 2_000;
            };
        }

        /** Warm-up messages per sender when not given (one-connection: per recipient). */
        int defaultWarmup() {
            return switch (this) {
                case group, oneConnection, service -> 5;
                case manyDevices, broadcast -> 1;
                default -> 200;
            };
        }

        /** Publishes in flight per sender connection when not given. */
        int defaultInflight() {
            return this == oneConnection || this == service ? 100 : 10;
        }
    }

    /** Which brokers to load. */
    public enum Sides {
        both, mqchat, plain;

        boolean mqchat() {
            return this != plain;
        }

        boolean plain() {
            return this != mqchat;
        }
    }

    public static BenchSettings defaults() {
        return new BenchSettings(Scenario.direct, GroupSettings.defaults(), FleetSettings.defaults(), 20, 2_000, 200, 10, 100, null, false, 256,
                2, Duration.ofSeconds(5), null, null, Duration.ofMinutes(5), Sides.both, true, 0, false);
    }

    public BenchSettings withSize(int pairs, int messages, int warmup, int inflight) {
        return new BenchSettings(scenario, group, fleet, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    /** The group scenario with this shape, sizes as given (messages and warm-up per sender). */
    public BenchSettings withGroup(GroupSettings group, int messages, int warmup, int inflight) {
        return new BenchSettings(Scenario.group, group, fleet, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    /** Another scenario with these scenario sizes; messages and warm-up as given (per sender or recipient). */
    public BenchSettings withFleet(Scenario scenario, FleetSettings fleet, int messages, int warmup, int inflight,
                                   Duration duration) {
        return new BenchSettings(scenario, group, fleet, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    public BenchSettings withRate(int rate) {
        return new BenchSettings(scenario, group, fleet, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    /** Publishing clients: one per pair, the group's senders, one, or every device. */
    public int senders() {
        return switch (scenario) {
            case group -> group.senders();
            case oneConnection, service -> 1;
            case manyDevices -> fleet.devices();
            case idle, roaming, broadcast -> 0;
            default -> pairs;
        };
    }

    /** Conversations (one per receiver) of a direct-message load: the pairs, the recipients or the devices. */
    public int conversations() {
        return switch (scenario) {
            case oneConnection, service -> fleet.recipients();
            case manyDevices -> fleet.devices();
            case group, idle, roaming, broadcast -> 0;
            default -> pairs;
        };
    }

    /** Messages across all senders, warm-up included. */
    public long totalMessages() {
        return scenario == Scenario.group ? (long) senders() * ((long) messages + warmup)
                : (long) conversations() * ((long) messages + warmup);
    }

    /** Deliveries the load asks for: one per message for direct messages, one per member and message in a group. */
    public long totalDeliveries() {
        return totalMessages() * (scenario == Scenario.group ? group.members() : 1);
    }

    /** Every problem at once; empty when the settings are usable. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (scenario == null) {
            p.add("--scenario must be one of " + Scenario.names());
            return p;
        }
        if (scenario == Scenario.roaming && sides == Sides.plain) {
            p.add("--sides plain does not apply to roaming (plain HiveMQ stores nothing to sync)");
        }
        if (scenario == Scenario.crossNode && sides != Sides.both) {
            p.add("--sides does not apply to cross-node (both sides are mqchat: same node, then across nodes)");
        }
        if (scenario.pairs() && (pairs < 1 || pairs > MAX_PAIRS)) {
            p.add("--pairs must be between 1 and " + MAX_PAIRS + ", was " + pairs);
        }
        p.addAll(fleet.problems(scenario));
        if (scenario == Scenario.manyDevices) {
            if (rate != 0) {
                p.add("--rate does not apply to many-devices (each device sends every --send-every)");
            }
            if (duration == null) {
                p.add("--duration is required for many-devices (how long the measured phase sends)");
            } else if (messages < 1) {
                p.add("--duration must be at least --send-every (" + fleet.sendEvery() + "), was " + duration);
            }
            if (duration != null && maxPhaseTime.compareTo(duration.plus(fleet.sendEvery())) <= 0) {
                p.add("--max-phase-time must be longer than --duration plus --send-every, was " + maxPhaseTime);
            }
        }
        if (scenario == Scenario.broadcast) {
            if (messages > MAX_BROADCASTS) {
                p.add("--messages (timed broadcasts) must be between 1 and " + MAX_BROADCASTS + ", was " + messages);
            }
            if (warmup < 1 || warmup > MAX_BROADCASTS) {
                p.add("--warmup (broadcasts before the timed ones, the last must reach every device) must be between "
                        + "1 and " + MAX_BROADCASTS + ", was " + warmup);
            }
        }
        if (scenario == Scenario.group) {
            p.addAll(group.problems());
            if (totalDeliveries() > MAX_TOTAL_DELIVERIES) {
                p.add("refusing " + totalDeliveries() + " member deliveries per side (senders x (messages + warmup) x "
                        + "members); the limit is " + MAX_TOTAL_DELIVERIES);
            }
        }
        if (rate < 0 || rate > MAX_RATE) {
            p.add("--rate must be between 0 (unpaced) and " + MAX_RATE + ", was " + rate);
        }
        if (messages < 1) {
            if (scenario != Scenario.manyDevices) { // many-devices: derived from --duration, told above
                p.add("--messages must be at least 1, was " + messages);
            }
        }
        if (warmup < 0) {
            p.add("--warmup must not be negative, was " + warmup);
        }
        if (inflight < 1 || inflight > 1_000) {
            p.add("--inflight must be between 1 and 1000, was " + inflight);
        }
        if (payloadBytes < 1 || payloadBytes > 60_000) {
            p.add("--payload-bytes must be between 1 and 60000 (the extension refuses payloads over 64 KiB), was "
                    + payloadBytes);
        }
        if (totalMessages() > MAX_TOTAL_MESSAGES) {
            p.add("refusing " + totalMessages() + " messages per side (conversations x (messages + warmup)); the limit is "
                    + MAX_TOTAL_MESSAGES);
        }
        if (duration != null && (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofMinutes(10)) > 0)) {
            p.add("--duration must be between 1s and 10m, was " + duration);
        }
        if (maxPhaseTime.compareTo(Duration.ofSeconds(5)) < 0 || maxPhaseTime.compareTo(Duration.ofMinutes(30)) > 0) {
            p.add("--max-phase-time must be between 5s and 30m, was " + maxPhaseTime);
        }
        if (storeBatchSize < 1 || storeBatchSize > 10_000) {
            p.add("--batch-size must be between 1 and 10000, was " + storeBatchSize);
        }
        if (storeWriters < 1 || storeWriters > 64) {
            p.add("--writers must be between 1 and 64, was " + storeWriters);
        }
        if (storeTimeout.compareTo(Duration.ofMillis(100)) < 0 || storeTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            p.add("--store-timeout must be between 100ms and 1m, was " + storeTimeout);
        }
        if (mongoUri != null && !mongoUri.startsWith("mongodb://") && !mongoUri.startsWith("mongodb+srv://")) {
            p.add("--mongo-uri must be a mongodb:// URI");
        }
        if (redisAddress != null && !redisAddress.startsWith("redis://") && !redisAddress.startsWith("rediss://")) {
            p.add("--redis must look like redis://host:port");
        }
        return p;
    }

    /** A one-line description for the report. */
    public String describe() {
        String shape = switch (scenario) {
            case group -> group.describe() + ", " + messages + " msgs/sender";
            case oneConnection, service -> "1 sender connection" + (scenario == Scenario.service
                    ? " of a service account" : "") + " round-robin over " + fleet.recipients() + " recipients x "
                    + messages + " msgs each";
            case manyDevices -> fleet.devices() + " devices, each sending to the next one every "
                    + fleet.sendEvery().toMillis() + " ms, " + messages + " msgs/device";
            case broadcast -> "a broadcast to " + fleet.registered() + " registered users, " + fleet.connections()
                    + " devices online (each subscribed to its inbox only; plain: all to one topic), " + messages
                    + " timed after " + warmup + " warm-up";
            case idle -> fleet.connections() + " idle connections (authenticated, subscribed), held "
                    + fleet.idleFor().toSeconds() + " s";
            case roaming -> "a new device syncs " + fleet.roamingMessages() + " messages (from "
                    + RoamingBenchmark.SENDERS + " conversations); history pages with " + fleet.roamingMessages()
                    + (fleet.historyMessages() > fleet.roamingMessages() ? " and " + fleet.historyMessages() : "")
                    + " messages stored";
            default -> pairs + " pairs x " + messages + " msgs/sender";
        };
        if (scenario == Scenario.roaming) {
            return shape + "; mqchat only; mongo " + (mongoUri == null ? "embedded H2 file" : "external")
                    + ", redis " + (redisAddress == null ? "embedded" : "external");
        }
        if (scenario == Scenario.idle || scenario == Scenario.broadcast) {
            return shape + "; clients in a child JVM; mqchat: mongo " + (mongoUri == null ? "embedded H2 file" : "external")
                    + ", redis " + (redisAddress == null ? "embedded" : "external");
        }
        String perWarmup = scenario == Scenario.oneConnection || scenario == Scenario.service ? "/recipient" : scenario == Scenario.manyDevices
                ? "/device" : "/sender";
        return shape + (duration != null && scenario != Scenario.manyDevices ? " (or " + duration.toSeconds() + " s)" : "")
                + (rate > 0 ? ", paced at " + rate + " msgs/s in all" : "") + ", warm-up " + warmup + perWarmup
                + ", in-flight " + inflight + ", body " + payloadBytes + " B, "
                + (mqtt3 ? "MQTT 3.1.1" : "MQTT 5") + ", QoS 1, " + (tcpNoDelay ? "TCP_NODELAY" : "Nagle on") + "; store batch " + storeBatchSize + ", writers "
                + storeWriters + "; mongo " + (mongoUri == null ? "embedded H2 file (commit before ack)" : "external")
                + ", redis " + (redisAddress == null ? "embedded" : "external")
                + (scenario == Scenario.crossNode ? (acrossFirst ? "; across-nodes side first" : "; same-node side first") : "");
    }
}
