package io.mqchat.api;

import io.mqchat.web.StartupFailures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad configuration stops start-up with a message that says what to fix. */
class StartupValidationTest {

    private static String failureMessages(String... args) {
        return StartupFailures.messages(ChatApiApplication.builder(), args);
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

    @Test
    void invalidRedisAddressStopsStartUpWithoutShowingThePassword() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET,
                "--mqchat.redis.address=redis://s3cret-pw@redis"))
                .contains("MQCHAT_REDIS_ADDRESS").doesNotContain("s3cret-pw");
    }

    @Test
    void invalidRateLimitsStopStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET,
                "--mqchat.rate-limit.login-failures=ten per minute")).contains("MQCHAT_RATELIMIT_LOGINFAILURES");
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET,
                "--mqchat.rate-limit.address-login-failures=0/m")).contains("MQCHAT_RATELIMIT_ADDRESSLOGINFAILURES");
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET,
                "--mqchat.rate-limit.registrations=5/week")).contains("MQCHAT_RATELIMIT_REGISTRATIONS");
    }

    @Test
    void invalidAdminIdsStopStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.admins=root,bad/id"))
                .contains("MQCHAT_ADMINS");
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.admins=x"))
                .contains("MQCHAT_ADMINS");
    }

    @Test
    void invalidBodyCapStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.http.max-body=lots"))
                .contains("MQCHAT_HTTP_MAXBODY");
        assertThat(failureMessages("--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.http.max-body=10GB"))
                .contains("MQCHAT_HTTP_MAXBODY");
    }
}
