package io.mqchat.history;

import io.mqchat.web.StartupValidationContract;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad configuration stops start-up with a message that says what to fix: what the services share
 * ({@link StartupValidationContract}) and history-service's own settings.
 */
class StartupValidationTest extends StartupValidationContract {

    @Override
    protected SpringApplicationBuilder app() {
        return HistoryServiceApplication.builder();
    }

    @Test
    void invalidMongoUriStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.mongo.uri=http://nope"))
                .contains("MQCHAT_MONGO_URI");
    }
}
