package io.mqchat.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Bad configuration stops start-up with a message that says what to fix. */
class StartupValidationTest {

    /** Nothing listens on port 1: if configuration were not checked first, start-up would hang on Mongo instead. */
    private static final Map<String, Object> BASE = Map.of("server.port", 0,
            "mqchat.mongo.uri", "mongodb://127.0.0.1:1/never",
            "mqchat.mongo.server-selection-timeout", "200ms");

    private static String failureMessages(String... args) {
        Throwable failure = catchThrowable(() -> ChatApiApplication.builder().properties(BASE).run(args).close());
        assertThat(failure).as("start-up must fail").isNotNull();
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return String.join("\n", messages);
    }

    @Test
    void missingJwtSecretStopsStartUp() {
        // command-line args outrank a MQCHAT_JWT_SECRET that may be set in the environment running the build
        assertThat(failureMessages("--mqchat.jwt.secret=")).contains("MQCHAT_JWT_SECRET");
    }

    @Test
    void shortJwtSecretStopsStartUp() {
        String messages = failureMessages("--mqchat.jwt.secret=too-short-31-bytes-xxxxxxxxxxxx");
        assertThat(messages).contains("MQCHAT_JWT_SECRET").doesNotContain("too-short-31-bytes");
    }

    @Test
    void invalidDeviceTypeStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.device-types=phone,Bad Type"))
                .contains("MQCHAT_DEVICETYPES");
    }
}
