package io.mqchat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Both sides of one run and the side-by-side table, the measured side first and the ratio measured/baseline.
 * Either side may be null when it was not run.
 *
 * @param measured mqchat; cross-node: receivers on node 2
 * @param baseline plain HiveMQ; cross-node: receivers on the senders' node
 */
public record BenchmarkReport(BenchSettings settings, SideResult measured, SideResult baseline) {

    public boolean passed() {
        return (measured == null || measured.passed()) && (baseline == null || baseline.passed());
    }

    private boolean crossNode() {
        return settings.scenario() == BenchSettings.Scenario.crossNode;
    }

    /** The heading of the table: what was run. */
    private String title() {
        return switch (settings.scenario()) {
            case group -> "Group fan-out: ";
            case crossNode -> "Direct messages, node 1 → node 2 vs same node: ";
            case oneConnection -> "One sender connection: ";
            case service -> "One service-account connection: ";
            case manyDevices -> "Many devices: ";
            case idle -> "Idle connections: ";
            case roaming -> "Roaming: ";
            case broadcast -> "Broadcast: ";
            default -> "Direct messages: ";
        };
    }

    /** The result table (Markdown-compatible), then each side's problems and notes. */
    public String table() {
        StringBuilder b = new StringBuilder();
        boolean group = settings.scenario() == BenchSettings.Scenario.group;
        b.append(title()).append(settings.describe()).append('\n').append('\n');
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "",
                crossNode() ? CrossNodeBenchmark.ACROSS_NODES : "mqchat",
                crossNode() ? CrossNodeBenchmark.SAME_NODE : "plain HiveMQ", crossNode() ? "across/same" : "mqchat/plain"));
        b.append("|").append("-".repeat(32)).append("|").append("-".repeat(15)).append(":|")
                .append("-".repeat(15)).append(":|").append("-".repeat(13)).append(":|\n");
        if (settings.scenario().sendsMessages()) {
            loadRows(b, group);
        }
        for (String label : metricLabels()) {
            SideResult.Metric any = sides().stream().flatMap(r -> r.metrics().stream())
                    .filter(m -> m.label().equals(label)).findFirst().orElseThrow();
            row(b, label, r -> r.metric(label), any.decimals());
        }
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "correctness checks",
                verdict(measured), verdict(baseline), ""));
        String goal = switch (settings.scenario()) {
            case idle -> IdleConnectionsBenchmark.goal(measured, baseline);
            case roaming -> RoamingBenchmark.goal(measured);
            case broadcast -> BroadcastBenchmark.summary(measured, baseline);
            default -> null;
        };
        if (goal != null) {
            b.append('\n').append(goal).append('\n');
        }
        for (SideResult r : sides()) {
            if (!r.problems().isEmpty()) {
                b.append('\n').append("FAILED (").append(r.name()).append("):\n");
                r.problems().forEach(p -> b.append("  ").append(p).append('\n'));
            }
            if (!r.notes().isEmpty()) {
                b.append('\n').append("notes (").append(r.name()).append("):\n");
                r.notes().forEach(p -> b.append("  ").append(p).append('\n'));
            }
        }
        return b.toString();
    }

    /** The rows of a load: rates, latencies, counts. */
    private void loadRows(StringBuilder b, boolean group) {
        row(b, "acked msgs/s", SideResult::ackedPerSecond, 0);
        row(b, group ? "member deliveries/s" : "delivered msgs/s", SideResult::deliveredPerSecond, 0);
        row(b, "send→PUBACK p50 (ms)", r -> r.ackLatency().p50(), 2);
        row(b, "send→PUBACK p99 (ms)", r -> r.ackLatency().p99(), 2);
        row(b, "send→PUBACK max (ms)", r -> r.ackLatency().max(), 2);
        row(b, "send→delivery p50 (ms)", r -> r.deliveryLatency().p50(), 2);
        row(b, "send→delivery p99 (ms)", r -> r.deliveryLatency().p99(), 2);
        row(b, "send→delivery max (ms)", r -> r.deliveryLatency().max(), 2);
        if (group) {
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "measured acked msgs",
                    measured == null ? "-" : Long.toString(measured.measuredAcked()),
                    baseline == null ? "-" : Long.toString(baseline.measuredAcked()), ""));
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "member deliveries / expected",
                    deliveries(measured), deliveries(baseline), ""));
        } else {
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "measured acked / delivered",
                    counts(measured), counts(baseline), ""));
        }
        if (crossNode()) {
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "deliveries of an id twice",
                    measured == null ? "-" : Long.toString(measured.redeliveries()),
                    baseline == null ? "-" : Long.toString(baseline.redeliveries()), ""));
        }
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "stored in MongoDB (+ warm-up)",
                stored(measured), stored(baseline), ""));
    }

    /** The labels of every side's metrics, in the order they first appear. */
    private List<String> metricLabels() {
        java.util.LinkedHashSet<String> labels = new java.util.LinkedHashSet<>();
        sides().forEach(r -> r.metrics().forEach(m -> labels.add(m.label())));
        return List.copyOf(labels);
    }

    private List<SideResult> sides() {
        List<SideResult> list = new ArrayList<>();
        if (measured != null) {
            list.add(measured);
        }
        if (baseline != null) {
            list.add(baseline);
        }
        return list;
    }

    private void row(StringBuilder b, String label, ToDoubleFunction<SideResult> value, int decimals) {
        String m = measured == null ? "-" : number(value.applyAsDouble(measured), decimals);
        String p = baseline == null ? "-" : number(value.applyAsDouble(baseline), decimals);
        String ratio = "-";
        if (measured != null && baseline != null) {
            double pv = value.applyAsDouble(baseline);
            double mv = value.applyAsDouble(measured);
            if (pv > 0 && !Double.isNaN(pv) && !Double.isNaN(mv)) {
                ratio = String.format(Locale.ROOT, "%.2f", mv / pv);
            }
        }
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", label, m, p, ratio));
    }

    private static String number(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String counts(SideResult r) {
        return r == null ? "-" : r.measuredAcked() + " / " + r.measuredDelivered();
    }

    private static String deliveries(SideResult r) {
        return r == null ? "-" : r.measuredDelivered() + " / " + r.expectedDelivered();
    }

    private static String stored(SideResult r) {
        return r == null ? "-" : r.stored() < 0 ? "n/a" : Long.toString(r.stored());
    }

    private static String verdict(SideResult r) {
        return r == null ? "-" : r.passed() ? "passed" : "FAILED";
    }
}
