package io.mqchat.bench;

import picocli.CommandLine;

/** The settings the benchmark's command line makes of these arguments. */
final class CommandLineSettings {

    private CommandLineSettings() {
    }

    static BenchSettings of(String... args) {
        DirectMessageBenchmark command = new DirectMessageBenchmark();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }
}
