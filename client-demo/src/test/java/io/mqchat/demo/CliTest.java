package io.mqchat.demo;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @org.junit.jupiter.api.io.TempDir
    Path stateDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing command");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("dance")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void sendWithoutRecipientIsAUsageError() {
        assertThat(run("send", "--user", "alice", "--password", "pw", "--text", "hi")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--to");
    }

    @Test
    void chatWithoutPasswordIsAUsageError() {
        assertThat(run("chat", "--user", "alice")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--password");
    }

    @Test
    void badUrlIsAUsageError() {
        assertThat(run("register", "--user", "alice", "--password", "pw", "--api", "http://bad host/"))
                .isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("send", "--user", "a", "--password", "b", "--to", "c", "--text", "d", "--qos", "2"))
                .isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--qos");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("register", "chat", "send");
    }

    @Test
    void parsesChatOptionsWithDefaults() {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult result = cli.parseArgs("chat", "--user", "alice", "--password", "pw", "--mqtt3",
                "--to", "bob", "--broker", "tcp://example:1884", "--state-dir", "/tmp/x");
        ChatCommand chat = result.subcommand().commandSpec().commandLine().getCommand();
        assertThat(chat.common.user).isEqualTo("alice");
        assertThat(chat.mqtt3).isTrue();
        assertThat(chat.to).isEqualTo("bob");
        assertThat(chat.device).isEqualTo("phone");
        assertThat(chat.common.broker()).isEqualTo(URI.create("tcp://example:1884"));
        assertThat(chat.common.stateDir).isEqualTo(Path.of("/tmp/x"));
        // not given: environment variable or built-in default
        String api = System.getenv("MQCHAT_API_URL");
        assertThat(chat.common.api()).isEqualTo(URI.create(api != null ? api : "http://localhost:8080"));
    }

    @Test
    void botTakesTheSameEndpointOptionsAsPeople() {
        CommandLine.ParseResult result = Main.commandLine().parseArgs("bot", "--service", "game", "--secret", "s",
                "--instance", "eu-1", "--broker", "tcp://example:1884", "--api", "http://example:9090");
        BotCommand bot = result.subcommand().commandSpec().commandLine().getCommand();
        assertThat(bot.service).isEqualTo("game");
        assertThat(bot.instance).isEqualTo("eu-1");
        assertThat(bot.endpoints.broker).isEqualTo(URI.create("tcp://example:1884"));
        assertThat(bot.endpoints.api).isEqualTo(URI.create("http://example:9090"));
    }

    @Test
    void sendDefaultsToMqtt5AndItsOwnDeviceType() {
        CommandLine.ParseResult result = Main.commandLine().parseArgs("send", "-u", "alice", "-p", "pw", "-t", "bob",
                "--text", "hello there");
        SendCommand send = result.subcommand().commandSpec().commandLine().getCommand();
        assertThat(send.mqtt3).isFalse();
        assertThat(send.device).isEqualTo("bot");
        assertThat(send.text).isEqualTo("hello there");
        assertThat(send.timeoutSeconds).isEqualTo(30);
    }

    @Test
    void serverErrorsPrintOneLineAndExitNonZero() {
        // nothing listens on port 1 of localhost: the login fails, reported without a stack trace
        int code = run("send", "-u", "alice", "-p", "pw", "-t", "bob", "--text", "x", "--api", "http://127.0.0.1:1",
                "--state-dir", stateDir.toString());
        assertThat(code).isEqualTo(Main.EXIT_FAILED);
        assertThat(err.toString()).startsWith("error: cannot reach http://127.0.0.1:1").doesNotContain("\tat ");
    }
}
