package io.mqchat.web;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad configuration of what the services share (the token secret, Redis, the body cap) stops start-up with a
 * message that names the variable to fix and never shows a secret. Each service runs it against itself
 * (chat-web's test-jar) and adds the settings only it has, using {@link #failureMessages}.
 */
public abstract class StartupValidationContract {

    /** A token secret long enough to be accepted. */
    protected static final String SECRET = "test-secret-test-secret-test-secret!!";

    /** The service's application, not started: a new builder at each call. */
    protected abstract SpringApplicationBuilder app();

    /** What the failed start-up with these command-line arguments says ({@link StartupFailures#messages}). */
    protected String failureMessages(String... args) {
        return StartupFailures.messages(app(), args);
    }

    @Test
    void missingJwtSecretStopsStartUp() {
        // command-line args outrank a MQCHAT_JWT_SECRET that may be set in the environment running the build
        assertThat(failureMessages("--mqchat.jwt.secret=")).contains("MQCHAT_JWT_SECRET");
    }

    @Test
    void shortJwtSecretStopsStartUpWithoutShowingIt() {
        assertThat(failureMessages("--mqchat.jwt.secret=too-short-31-bytes-xxxxxxxxxxxx"))
                .contains("MQCHAT_JWT_SECRET").doesNotContain("too-short-31-bytes");
        assertThat(failureMessages("--mqchat.jwt.secret=only-twenty-bytes!!!"))
                .contains("MQCHAT_JWT_SECRET").doesNotContain("only-twenty-bytes");
    }

    @Test
    void invalidRedisAddressStopsStartUpWithoutShowingThePassword() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.redis.address=redis://s3cret-pw@redis"))
                .contains("MQCHAT_REDIS_ADDRESS").doesNotContain("s3cret-pw");
    }

    @Test
    void invalidBodyCapStopsStartUp() {
        for (String cap : new String[] {"lots", "10GB", "12 parsecs"}) {
            assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.http.max-body=" + cap))
                    .as(cap).contains("MQCHAT_HTTP_MAXBODY");
        }
    }
}
