package io.mqchat.demo;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Options every command shares: who you are and where the services are. */
final class CommonOptions {

    @Option(names = {"-u", "--user"}, required = true, description = "Your user id.")
    String user;

    @Option(names = {"-p", "--password"}, required = true, description = "Your password.")
    String password;

    @Option(names = "--api", defaultValue = "${env:MQCHAT_API_URL:-http://localhost:8080}",
            description = "chat-api URL (env MQCHAT_API_URL, default: ${DEFAULT-VALUE}).")
    URI api;

    @Option(names = "--history", defaultValue = "${env:MQCHAT_HISTORY_URL:-http://localhost:8081}",
            description = "history-service URL (env MQCHAT_HISTORY_URL, default: ${DEFAULT-VALUE}).")
    URI history;

    @Option(names = "--broker", defaultValue = "${env:MQCHAT_BROKER_URL:-tcp://localhost:1883}",
            description = "MQTT broker URL (env MQCHAT_BROKER_URL, default: ${DEFAULT-VALUE}).")
    URI broker;

    @Option(names = "--state-dir", defaultValue = "${sys:user.home}/.mqchat-demo",
            description = "Where unacknowledged messages and last seqs are kept (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    /** Logs this user in as {@code device}, with its state from {@link #stateDir} and the {@link #history} service. */
    ChatClient login(String device) throws IOException {
        return ChatClient.login(api, user, password, device, stateDir).withHistory(history);
    }
}
