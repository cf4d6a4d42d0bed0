package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send one message, wait until it is stored, print it with its seq and exit.",
                "Exit codes: 0 stored, 1 refused or failed, 3 not confirmed in time (stays queued, re-sent next run)."})
final class SendCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = {"-t", "--to"}, required = true, description = "Recipient user id.")
    String to;

    @Option(names = "--text", required = true, description = "The message text.")
    String text;

    @Option(names = {"-d", "--device"}, defaultValue = "bot",
            description = "Device type to log in as (default: ${DEFAULT-VALUE}, so an open 'chat' on your phone is not"
                    + " kicked: one connection per device type).")
    String device;

    @Option(names = "--mqtt3", description = "Use MQTT 3.1.1 instead of MQTT 5.")
    boolean mqtt3;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for the stored copy (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (ChatClient client = common.login(device)) {
            client.connect(common.broker(), mqtt3);
            try {
                ChatMessage stored = client.send(to, text).get(timeoutSeconds, TimeUnit.SECONDS);
                spec.commandLine().getOut().println(Printer.format(stored, client.user(), client.device()));
                return 0;
            } catch (ExecutionException e) {
                spec.commandLine().getErr().println("refused: " + e.getCause().getMessage());
                return Main.EXIT_FAILED;
            } catch (TimeoutException e) {
                spec.commandLine().getErr().println("not confirmed within " + timeoutSeconds + " s; the message stays"
                        + " queued in " + client.state().file() + " and is re-sent (same cid) on the next run");
                return Main.EXIT_UNCONFIRMED;
            }
        }
    }
}
