package io.mqchat.demo;

import picocli.CommandLine.Option;

import java.net.URI;

/** Where chat-api and the broker are: the options every command that talks to them shares, people's and bots'. */
final class Endpoints {

    @Option(names = "--api", defaultValue = "${env:MQCHAT_API_URL:-http://localhost:8080}",
            description = "chat-api URL (env MQCHAT_API_URL, default: ${DEFAULT-VALUE}).")
    URI api;

    @Option(names = "--broker", defaultValue = "${env:MQCHAT_BROKER_URL:-tcp://localhost:1883}",
            description = "MQTT broker URL (env MQCHAT_BROKER_URL, default: ${DEFAULT-VALUE}).")
    URI broker;
}
