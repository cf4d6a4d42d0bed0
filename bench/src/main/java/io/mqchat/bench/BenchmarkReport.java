package io.mqchat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Both sides of one run and the side-by-side table. Either side may be null when it was not run. */
public record BenchmarkReport(BenchSettings settings, SideResult mqchat, SideResult plain) {

    public boolean passed() {
        return (mqchat == null || mqchat.passed()) && (plain == null || plain.passed());
    }

    /** The result table (Markdown-compatible), then each side's problems and notes. */
    public String table() {
        StringBuilder b = new StringBuilder();
        boolean group = settings.scenario() == BenchSettings.Scenario.group;
        b.append(group ? "Group fan-out: " : "Direct messages: ").append(settings.describe()).append('\n').append('\n');
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "", "mqchat", "plain HiveMQ",
                "mqchat/plain"));
        b.append("|").append("-".repeat(32)).append("|").append("-".repeat(15)).append(":|")
                .append("-".repeat(15)).append(":|").append("-".repeat(13)).append(":|\n");
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
                    mqchat == null ? "-" : Long.toString(mqchat.measuredAcked()),
                    plain == null ? "-" : Long.toString(plain.measuredAcked()), ""));
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "member deliveries / expected",
                    deliveries(mqchat), deliveries(plain), ""));
        } else {
            b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "measured acked / delivered",
                    counts(mqchat), counts(plain), ""));
        }
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "stored in MongoDB (+ warm-up)",
                mqchat == null ? "-" : Long.toString(mqchat.stored()), "n/a", ""));
        b.append(String.format(Locale.ROOT, "| %-30s | %14s | %14s | %12s |%n", "correctness checks",
                verdict(mqchat), verdict(plain), ""));
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

    private List<SideResult> sides() {
        List<SideResult> list = new ArrayList<>();
        if (mqchat != null) {
            list.add(mqchat);
        }
        if (plain != null) {
            list.add(plain);
        }
        return list;
    }

    private void row(StringBuilder b, String label, ToDoubleFunction<SideResult> value, int decimals) {
        String m = mqchat == null ? "-" : number(value.applyAsDouble(mqchat), decimals);
        String p = plain == null ? "-" : number(value.applyAsDouble(plain), decimals);
        String ratio = "-";
        if (mqchat != null && plain != null) {
            double pv = value.applyAsDouble(plain);
            double mv = value.applyAsDouble(mqchat);
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

    private static String verdict(SideResult r) {
        return r == null ? "-" : r.passed() ? "passed" : "FAILED";
    }
}
