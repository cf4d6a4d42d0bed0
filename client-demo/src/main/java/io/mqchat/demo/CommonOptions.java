package io.mqchat.demo;

import picocli.CommandLine.Mixin;
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

    @Mixin
    Endpoints endpoints;

    @Option(names = "--history", defaultValue = "${env:MQCHAT_HISTORY_URL:-http://localhost:8081}",
            description = "history-service URL (env MQCHAT_HISTORY_URL, default: ${DEFAULT-VALUE}).")
    URI history;

    @Option(names = "--state-dir", defaultValue = "${sys:user.home}/.mqchat-demo",
            description = "Where unacknowledged messages and last seqs are kept (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    URI api() {
        return endpoints.api;
    }

    URI broker() {
        return endpoints.broker;
    }

    /** Logs this user in as {@code device}, with its state from {@link #stateDir} and the {@link #history} service. */
    ChatClient login(String device) throws IOException {
        return ChatClient.login(endpoints.api, user, password, device, stateDir).withHistory(history);
    }
}
