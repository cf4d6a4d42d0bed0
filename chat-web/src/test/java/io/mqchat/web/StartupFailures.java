package io.mqchat.web;

import org.springframework.boot.builder.SpringApplicationBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Test helper shared by the services' start-up validation tests (chat-web's test-jar): starts an app that
 * must fail and returns what the failure says, so a test can check that it names the variable to fix.
 */
public final class StartupFailures {

    /**
     * Nothing listens on port 1: if configuration were not checked first, start-up would hang or fail on
     * MongoDB instead of naming the bad setting.
     */
    public static final Map<String, Object> UNREACHABLE_MONGO = Map.of("server.port", 0,
            "mqchat.mongo.uri", "mongodb://127.0.0.1:1/never",
            "mqchat.mongo.server-selection-timeout", "200ms");

    private StartupFailures() {
    }

    /**
     * Runs {@code app} (with {@link #UNREACHABLE_MONGO} added) and returns the messages of the failure and
     * all its causes, one a line; fails the test if start-up succeeds.
     *
     * @param args command-line arguments: they outrank environment variables such as a MQCHAT_JWT_SECRET
     *             set where the build runs
     */
    public static String messages(SpringApplicationBuilder app, String... args) {
        Throwable failure = catchThrowable(() -> app.properties(UNREACHABLE_MONGO).run(args).close());
        assertThat(failure).as("start-up must fail").isNotNull();
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return String.join("\n", messages);
    }
}
