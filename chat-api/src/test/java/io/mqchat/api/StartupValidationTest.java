package io.mqchat.api;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.web.StartupFailures;
import io.mqchat.web.StartupValidationContract;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.net.InetSocketAddress;

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

    /**
     * What start-up says when the stores are reachable and only {@code setting} is wrong: the limits below are
     * checked by beans that are built after the store connection.
     */
    private static String failureWithStores(String setting) {
        MongoServer mongo = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongo.bind();
        try {
            return StartupFailures.messages(ChatApiApplication.builder(), "--server.port=0",
                    "--mqchat.jwt.secret=" + SECRET, "--mqchat.redis.address=" + TestSupport.redisAddress(),
                    "--mqchat.mongo.uri=mongodb://127.0.0.1:" + address.getPort() + "/startup", setting);
        } finally {
            mongo.shutdownNow();
        }
    }

    @Test
    void invalidGroupAndBroadcastLimitsStopStartUp() {
        assertThat(failureWithStores("--mqchat.ratelimit.group-create=lots"))
                .contains("MQCHAT_RATELIMIT_GROUPCREATE");
        assertThat(failureWithStores("--mqchat.ratelimit.group-add=0/m"))
                .contains("MQCHAT_RATELIMIT_GROUPADD");
        // the admin's limit lives beside the groups' under mqchat.ratelimit
        assertThat(failureWithStores("--mqchat.ratelimit.broadcast=often"))
                .contains("MQCHAT_RATELIMIT_BROADCAST");
    }

    @Test
    void invalidContactLimitsStopStartUp() {
        assertThat(failureWithStores("--mqchat.ratelimit.contact-requests=plenty"))
                .contains("MQCHAT_RATELIMIT_CONTACTREQUESTS");
        assertThat(failureWithStores("--mqchat.contacts.max-pending-requests=0"))
                .contains("MQCHAT_CONTACTS_MAXPENDINGREQUESTS");
        assertThat(failureWithStores("--mqchat.contacts.max-blocks=-5"))
                .contains("MQCHAT_CONTACTS_MAXBLOCKS");
        assertThat(failureWithStores("--mqchat.contacts.kept-changes=3"))
                .contains("MQCHAT_CONTACTS_KEPTCHANGES");
    }
}
