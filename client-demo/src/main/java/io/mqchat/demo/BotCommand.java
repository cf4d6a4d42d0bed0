package io.mqchat.demo;

import io.mqchat.demo.bot.EchoBot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "bot", mixinStandardHelpOptions = true,
        description = {"Run one instance of an echo bot on a service account: it answers each message people send "
                + "to the account. Start it twice with different --instance names and the two share the inbox."})
final class BotCommand implements Callable<Integer> {

    @Option(names = "--service", required = true, description = "The service account's id.")
    String service;

    @Option(names = "--secret", defaultValue = "${env:MQCHAT_SERVICE_SECRET}",
            description = "Its client secret (env MQCHAT_SERVICE_SECRET).")
    String secret;

    @Option(names = "--instance", defaultValue = "main", description = "This instance's name (default: ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--share", defaultValue = "echo",
            description = "The shared subscription's name the instances split the inbox under (default: ${DEFAULT-VALUE}).")
    String share;

    @Mixin
    Endpoints endpoints;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (secret == null || secret.isBlank()) {
            spec.commandLine().getErr().println("error: --secret (or MQCHAT_SERVICE_SECRET) is required");
            return Main.EXIT_FAILED;
        }
        try (EchoBot bot = EchoBot.start(endpoints.api, endpoints.broker, service, secret, instance, share,
                line -> spec.commandLine().getOut().println(line))) {
            new CountDownLatch(1).await(); // until the process is stopped
        }
        return 0;
    }
}
