package io.mqchat.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark run's parameters, validated as a whole.
 *
 * @param scenario         direct messages between pairs, fan-out in one group, or the pairs across two nodes
 * @param group            the group scenario's shape (ignored for direct messages)
 * @param pairs            sender/receiver pairs (one conversation each; direct messages only)
 * @param messages         measured messages per sender (an upper bound when {@code duration} is set)
 * @param warmup           messages per sender sent, acknowledged and delivered before measuring
 * @param inflight         QoS 1 publishes each sender keeps in flight
 * @param payloadBytes     length of the message body text
 * @param duration         optional: stop the measured phase of each side after this long
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
public record BenchSettings(Scenario scenario, GroupSettings group, int pairs, int messages, int warmup, int inflight, int payloadBytes, Duration duration,
                            boolean mqtt3, int storeBatchSize, int storeWriters, Duration storeTimeout,
                            String mongoUri, String redisAddress, Duration maxPhaseTime, Sides sides,
                            boolean tcpNoDelay, int rate, boolean acrossFirst) {

    /** The refused size of a run: messages across all senders, warm-up included. */
    public static final long MAX_TOTAL_MESSAGES = 1_000_000;
    public static final int MAX_PAIRS = 500;
    /** The refused size of a group run: member deliveries (messages x members), warm-up included. */
    public static final long MAX_TOTAL_DELIVERIES = 5_000_000;
    public static final int MAX_RATE = 100_000;

    /** What load to run. */
    public enum Scenario {
        /** N sender/receiver pairs, one direct conversation each. */
        direct,
        /** A few senders in one large group, every member connected. */
        group,
        /**
         * The direct pairs on two mqchat broker nodes: receivers on the senders' node (baseline), then receivers
         * on a second node in a child JVM (every delivery forwarded over the Redis bus). Written {@code cross-node}.
         */
        crossNode;

        /** The name on the command line. */
        public String cliName() {
            return this == crossNode ? "cross-node" : name();
        }

        /** Parses a command-line name ({@code direct}, {@code group}, {@code cross-node}). */
        public static Scenario ofCliName(String name) {
            for (Scenario s : values()) {
                if (s.cliName().equalsIgnoreCase(name.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scenario '" + name + "' (direct, group or cross-node)");
        }

        /** Whether the load is the direct sender/receiver pairs. */
        boolean pairs() {
            return this != group;
        }

        /** Measured messages per sender when not given. */
        int defaultMessages() {
            return this == group ? 50 : 2_000;
        }

        /** Warm-up messages per sender when not given. */
        int defaultWarmup() {
            return this == group ? 5 : 200;
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
        return new BenchSettings(Scenario.direct, GroupSettings.defaults(), 20, 2_000, 200, 10, 100, null, false, 256,
                2, Duration.ofSeconds(5), null, null, Duration.ofMinutes(5), Sides.both, true, 0, false);
    }

    public BenchSettings withSize(int pairs, int messages, int warmup, int inflight) {
        return new BenchSettings(scenario, group, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    /** The group scenario with this shape, sizes as given (messages and warm-up per sender). */
    public BenchSettings withGroup(GroupSettings group, int messages, int warmup, int inflight) {
        return new BenchSettings(Scenario.group, group, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    public BenchSettings withRate(int rate) {
        return new BenchSettings(scenario, group, pairs, messages, warmup, inflight, payloadBytes, duration, mqtt3,
                storeBatchSize, storeWriters, storeTimeout, mongoUri, redisAddress, maxPhaseTime, sides, tcpNoDelay, rate, acrossFirst);
    }

    /** Publishing clients: one per pair, or the group's senders. */
    public int senders() {
        return scenario == Scenario.group ? group.senders() : pairs;
    }

    /** Messages across all senders, warm-up included. */
    public long totalMessages() {
        return (long) senders() * ((long) messages + warmup);
    }

    /** Deliveries the load asks for: one per message for direct messages, one per member and message in a group. */
    public long totalDeliveries() {
        return totalMessages() * (scenario == Scenario.group ? group.members() : 1);
    }

    /** Every problem at once; empty when the settings are usable. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (scenario == null) {
            p.add("--scenario must be direct, group or cross-node");
            return p;
        }
        if (scenario == Scenario.crossNode && sides != Sides.both) {
            p.add("--sides does not apply to cross-node (both sides are mqchat: same node, then across nodes)");
        }
        if (scenario.pairs() && (pairs < 1 || pairs > MAX_PAIRS)) {
            p.add("--pairs must be between 1 and " + MAX_PAIRS + ", was " + pairs);
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
            p.add("--messages must be at least 1, was " + messages);
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
            p.add("refusing " + totalMessages() + " messages per side (senders x (messages + warmup)); the limit is "
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
        String shape = scenario == Scenario.group ? group.describe() + ", " : pairs + " pairs x ";
        return shape + messages + " msgs/sender" + (duration != null ? " (or " + duration.toSeconds() + " s)" : "")
                + (rate > 0 ? ", paced at " + rate + " msgs/s in all" : "") + ", warm-up " + warmup + "/sender, in-flight " + inflight + ", body " + payloadBytes + " B, "
                + (mqtt3 ? "MQTT 3.1.1" : "MQTT 5") + ", QoS 1, " + (tcpNoDelay ? "TCP_NODELAY" : "Nagle on") + "; store batch " + storeBatchSize + ", writers "
                + storeWriters + "; mongo " + (mongoUri == null ? "embedded H2 file (commit before ack)" : "external")
                + ", redis " + (redisAddress == null ? "embedded" : "external")
                + (scenario == Scenario.crossNode ? (acrossFirst ? "; across-nodes side first" : "; same-node side first") : "");
    }
}
