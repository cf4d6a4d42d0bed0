package io.mqchat.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cross-node scenario's options and node 2's command line; the run itself is measured by hand (BENCHMARKS.md). */
class CrossNodeSettingsTest {

    @Test
    void scenarioIsWrittenCrossNodeOnTheCommandLine() {
        BenchSettings s = CommandLineSettings.of("--scenario", "cross-node", "--pairs", "3");

        assertThat(s.scenario()).isEqualTo(BenchSettings.Scenario.crossNode);
        assertThat(s.problems()).isEmpty();
        // the direct pairs' defaults and size
        assertThat(s.senders()).isEqualTo(3);
        assertThat(s.messages()).isEqualTo(2_000);
        assertThat(s.describe()).startsWith("3 pairs x ");
        assertThat(BenchSettings.Scenario.ofCliName("group")).isEqualTo(BenchSettings.Scenario.group);
        assertThatThrownBy(() -> BenchSettings.Scenario.ofCliName("crossnode")).hasMessageContaining("cross-node");
    }

    @Test
    void bothSidesAreMqchatSoSidesDoesNotApply() {
        BenchSettings parsed = CommandLineSettings.of("--scenario", "cross-node", "--sides", "plain", "--pairs", "0");

        assertThat(parsed.problems()).anyMatch(p -> p.startsWith("--sides"))
                .anyMatch(p -> p.startsWith("--pairs"));
    }

    @Test
    void nodeTwoStartsThroughTheBootLauncherFromTheJarAndDirectlyFromAClassPath() {
        assertThat(PeerNode.command("java", "bench.jar", true, "512m"))
                .containsSubsequence("-Xmx512m", "-cp", "bench.jar", "-Dloader.main=io.mqchat.bench.PeerNode",
                        "org.springframework.boot.loader.launch.PropertiesLauncher")
                .endsWith("org.springframework.boot.loader.launch.PropertiesLauncher");
        assertThat(PeerNode.command("java", "a:b", false, "512m"))
                .containsSubsequence("-cp", "a:b", "io.mqchat.bench.PeerNode")
                .endsWith("io.mqchat.bench.PeerNode")
                .noneMatch(arg -> arg.startsWith("-Dloader.main"));
    }
}
