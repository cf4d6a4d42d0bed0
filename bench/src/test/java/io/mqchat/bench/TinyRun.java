package io.mqchat.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark run small enough for a unit test (its settings checked to be valid first), its report and the
 * report's table, which the assertions show when they fail.
 */
record TinyRun(BenchmarkReport report, String table) {

    static TinyRun of(BenchSettings settings) throws Exception {
        assertThat(settings.problems()).isEmpty();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchmarkReport report = Benchmark.run(settings, new PrintStream(progress, true, StandardCharsets.UTF_8));
        return new TinyRun(report, report.table());
    }

    /** The measured side (mqchat) and the baseline (the plain broker): both must have run. */
    List<SideResult> bothSides() {
        return List.of(report.measured(), report.baseline());
    }

    /** Both sides ran, without problems. */
    TinyRun withoutProblemsOnBothSides() {
        assertThat(report.measured().problems()).as(table).isEmpty();
        assertThat(report.baseline()).as(table).isNotNull();
        assertThat(report.baseline().problems()).as(table).isEmpty();
        return this;
    }

    /** On both sides: each of the measured messages acknowledged and delivered, with a delivery latency each. */
    void assertEachAckedAndDelivered(int messages) {
        for (SideResult side : bothSides()) {
            assertThat(side.measuredAcked()).as(side.name()).isEqualTo(messages);
            assertThat(side.measuredDelivered()).as(side.name()).isEqualTo(messages);
            assertThat(side.deliveryLatency().count()).as(side.name()).isEqualTo(messages);
        }
    }
}
