package io.mqchat.history;

import io.mqchat.web.StartupFailures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad configuration stops start-up with a message that says what to fix. */
class StartupValidationTest {

    private static String failureMessages(String... args) {
        return StartupFailures.messages(HistoryServiceApplication.builder(), args);
    }

    @Test
    void missingJwtSecretStopsStartUp() {
        // command-line args outrank a MQCHAT_JWT_SECRET that may be set in the environment running the build
        assertThat(failureMessages("--mqchat.jwt.secret=")).contains("MQCHAT_JWT_SECRET");
    }

    @Test
    void shortJwtSecretStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=only-twenty-bytes!!!"))
                .contains("MQCHAT_JWT_SECRET").doesNotContain("only-twenty-bytes");
    }

    @Test
    void invalidMongoUriStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.mongo.uri=http://nope"))
                .contains("MQCHAT_MONGO_URI");
    }

    @Test
    void invalidRedisAddressStopsStartUpWithoutShowingThePassword() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET,
                "--mqchat.redis.address=redis://s3cret-pw@redis"))
                .contains("MQCHAT_REDIS_ADDRESS").doesNotContain("s3cret-pw");
    }

    @Test
    void invalidBodyCapStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.http.max-body=12 parsecs"))
                .contains("MQCHAT_HTTP_MAXBODY");
    }
}
