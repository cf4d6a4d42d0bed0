package io.mqchat.bench;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * What one broker did with the measured phase of the load.
 *
 * @param name             mqchat or plain HiveMQ
 * @param measuredSent     publishes sent in the measured phase
 * @param measuredAcked    of them, acknowledged with success
 * @param measuredDelivered of them, delivered (after dedupe); in a group, member deliveries (message x member)
 * @param failed           publishes refused or failed (all phases)
 * @param redeliveries     deliveries removed by dedupe (same id, or same cid on plain HiveMQ)
 * @param outOfOrder       arrivals whose seq (mqchat) or send index (plain) was lower than an earlier one's
 * @param ackedPerSecond   measured acks / time from phase start to the last ack
 * @param deliveredPerSecond measured deliveries / time from phase start to the last delivery
 * @param ackLatency       send → PUBACK
 * @param deliveryLatency  send → arrival at the receiver
 * @param seconds          measured phase, start to last ack or delivery
 * @param stored           messages of the run's conversations in MongoDB (-1: not a storing broker)
 * @param problems         failed correctness checks (empty: passed)
 * @param notes            observations that are not failures
 * @param expectedDelivered deliveries the measured acked messages should have made (direct: one each; group:
 *                         one per member connection)
 */
public record SideResult(String name, long measuredSent, long measuredAcked, long measuredDelivered, long failed,
                         long redeliveries, long outOfOrder, double ackedPerSecond, double deliveredPerSecond,
                         Latency ackLatency, Latency deliveryLatency, double seconds, long stored,
                         List<String> problems, List<String> notes, long expectedDelivered) {

    public boolean passed() {
        return problems.isEmpty();
    }

    /** The same result with other notes. */
    SideResult withNotes(List<String> otherNotes) {
        return new SideResult(name, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries, outOfOrder,
                ackedPerSecond, deliveredPerSecond, ackLatency, deliveryLatency, seconds, stored, problems,
                List.copyOf(otherNotes), expectedDelivered);
    }

    /** Latency percentiles in milliseconds. */
    public record Latency(double p50, double p99, double max, long count) {
        static Latency of(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return new Latency(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            return new Latency(micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
                    micros.getMaxValue() / 1000.0, micros.getTotalCount());
        }
    }
}
