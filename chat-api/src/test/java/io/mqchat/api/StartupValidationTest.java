package io.mqchat.api;

import io.mqchat.web.StartupValidationContract;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad configuration stops start-up with a message that says what to fix: what the services share
 * ({@link StartupValidationContract}) and chat-api's own settings.
 */
class StartupValidationTest extends StartupValidationContract {

    @Override
    protected SpringApplicationBuilder app() {
        return ChatApiApplication.builder();
    }

    @Test
    void invalidDeviceTypeStopsStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.device-types=phone,Bad Type"))
                .contains("MQCHAT_DEVICETYPES");
        // the device claim of service accounts' tokens
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.device-types=phone,service"))
                .contains("MQCHAT_DEVICETYPES").contains("reserved for service accounts");
    }

    @Test
    void invalidRateLimitsStopStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET,
                "--mqchat.rate-limit.login-failures=ten per minute")).contains("MQCHAT_RATELIMIT_LOGINFAILURES");
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET,
                "--mqchat.rate-limit.address-login-failures=0/m")).contains("MQCHAT_RATELIMIT_ADDRESSLOGINFAILURES");
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET,
                "--mqchat.rate-limit.registrations=5/week")).contains("MQCHAT_RATELIMIT_REGISTRATIONS");
    }

    @Test
    void invalidAdminIdsStopStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.admins=root,bad/id"))
                .contains("MQCHAT_ADMINS");
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.admins=x"))
                .contains("MQCHAT_ADMINS");
    }

    @Test
    void invalidWebhookSettingsStopStartUp() {
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.webhooks.max-attempts=0"))
                .contains("MQCHAT_WEBHOOKS_MAXATTEMPTS");
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.webhooks.backoff-base=1m",
                "--mqchat.webhooks.backoff-max=10s")).contains("MQCHAT_WEBHOOKS_BACKOFFMAX");
        assertThat(failureMessages("--mqchat.jwt.secret=" + SECRET, "--mqchat.webhooks.per-endpoint=50",
                "--mqchat.webhooks.concurrency=10")).contains("MQCHAT_WEBHOOKS_PERENDPOINT");
    }
}
