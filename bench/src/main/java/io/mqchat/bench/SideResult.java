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
 * @param metrics          the scenario's own numbers, a row each in the table next to the other side's (CPU, memory)
 */
public record SideResult(String name, long measuredSent, long measuredAcked, long measuredDelivered, long failed,
                         long redeliveries, long outOfOrder, double ackedPerSecond, double deliveredPerSecond,
                         Latency ackLatency, Latency deliveryLatency, double seconds, long stored,
                         List<String> problems, List<String> notes, long expectedDelivered, List<Metric> metrics) {

    public SideResult(String name, long measuredSent, long measuredAcked, long measuredDelivered, long failed,
                      long redeliveries, long outOfOrder, double ackedPerSecond, double deliveredPerSecond,
                      Latency ackLatency, Latency deliveryLatency, double seconds, long stored,
                      List<String> problems, List<String> notes, long expectedDelivered) {
        this(name, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries, outOfOrder, ackedPerSecond,
                deliveredPerSecond, ackLatency, deliveryLatency, seconds, stored, problems, notes, expectedDelivered,
                List.of());
    }

    /** A side that sent nothing and only measured (idle connections): its metrics, problems and notes. */
    static SideResult measurementsOnly(String name, List<Metric> metrics, List<String> problems, List<String> notes) {
        Latency none = new Latency(Double.NaN, Double.NaN, Double.NaN, 0);
        return new SideResult(name, 0, 0, 0, 0, 0, 0, 0, 0, none, none, 0, -1, List.copyOf(problems),
                List.copyOf(notes), 0, List.copyOf(metrics));
    }

    /** One of a scenario's own numbers: its row label, value and decimals in the table. */
    public record Metric(String label, double value, int decimals) {
    }

    /** The value of the metric with this label, NaN when there is none. */
    public double metric(String label) {
        return metrics.stream().filter(m -> m.label().equals(label)).mapToDouble(Metric::value).findFirst()
                .orElse(Double.NaN);
    }

    public boolean passed() {
        return problems.isEmpty();
    }

    /** The same result with other notes. */
    SideResult withNotes(List<String> otherNotes) {
        return new SideResult(name, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries, outOfOrder,
                ackedPerSecond, deliveredPerSecond, ackLatency, deliveryLatency, seconds, stored, problems,
                List.copyOf(otherNotes), expectedDelivered, metrics);
    }

    /** The same result with these metrics added. */
    SideResult withMetrics(List<Metric> more) {
        List<Metric> all = new java.util.ArrayList<>(metrics);
        all.addAll(more);
        return new SideResult(name, measuredSent, measuredAcked, measuredDelivered, failed, redeliveries, outOfOrder,
                ackedPerSecond, deliveredPerSecond, ackLatency, deliveryLatency, seconds, stored, problems, notes,
                expectedDelivered, List.copyOf(all));
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
