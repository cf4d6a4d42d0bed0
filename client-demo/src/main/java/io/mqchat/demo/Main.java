package io.mqchat.demo;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code mqchat-demo}: the command line. The commands are thin wrappers around {@link ChatClient}.
 *
 * <pre>
 * java -jar client-demo/target/mqchat-demo.jar register --user alice --password secret123
 * java -jar client-demo/target/mqchat-demo.jar chat --user alice --password secret123 --to bob
 * java -jar client-demo/target/mqchat-demo.jar send --user bob --password secret456 --to alice --text hi
 * </pre>
 */
@Command(name = "mqchat-demo", mixinStandardHelpOptions = true, version = "mqchat-demo 0.1.0",
        description = "A command-line chat client for mqchat (MQTT 5 or 3.1.1 + REST).",
        subcommands = {RegisterCommand.class, ChatCommand.class, SendCommand.class, ConversationsCommand.class, BotCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code when the server refused or a request failed. */
    static final int EXIT_FAILED = 1;
    /** Exit code for a message that was not confirmed in time (it stays queued and is re-sent later). */
    static final int EXIT_UNCONFIRMED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (used by {@link #main} and by tests). */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        // Expected failures (server said no, service down) print one line, not a stack trace.
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            cmd.getErr().flush();
            return EXIT_FAILED;
        });
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: register, chat, send, conversations or bot");
    }
}
