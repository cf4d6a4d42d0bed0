package io.mqchat.broker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaultsNeedOnlyASecret() {
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET));
        assertThat(c.mongoUri()).isEqualTo("mongodb://localhost:27017/mqchat");
        assertThat(c.storeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.deviceTypes()).contains("phone", "desktop", "web");
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    @Test
    void environmentWinsOverTheFileAndFollowsSpringNaming() {
        Properties file = new Properties();
        file.setProperty("store.batch-size", "10");
        file.setProperty("mongo.uri", "mongodb://file:27017/x");
        BrokerConfig c = BrokerConfig.load(file, Map.of("MQCHAT_JWT_SECRET", SECRET, "MQCHAT_STORE_BATCHSIZE", "64",
                "MQCHAT_STORE_TIMEOUT", "750ms", "MQCHAT_DEVICETYPES", "phone,watch"));
        assertThat(c.storeBatchSize()).isEqualTo(64);
        assertThat(c.storeTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.mongoUri()).isEqualTo("mongodb://file:27017/x");
        assertThat(c.deviceTypes()).containsExactlyInAnyOrder("phone", "watch");
    }

    @Test
    void everyProblemIsReportedAtOnceWithTheVariableToFix() {
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of(
                "MQCHAT_MONGO_URI", "http://nope", "MQCHAT_REDIS_ADDRESS", "localhost",
                "MQCHAT_STORE_TIMEOUT", "forever", "MQCHAT_STORE_WRITERS", "0", "MQCHAT_DEVICETYPES", "Phone")))
                .isInstanceOf(BrokerConfig.InvalidConfigException.class)
                .hasMessageContaining("MQCHAT_MONGO_URI")
                .hasMessageContaining("MQCHAT_REDIS_ADDRESS")
                .hasMessageContaining("MQCHAT_JWT_SECRET")
                .hasMessageContaining("MQCHAT_STORE_TIMEOUT")
                .hasMessageContaining("MQCHAT_STORE_WRITERS")
                .hasMessageContaining("MQCHAT_DEVICETYPES");
    }

    @Test
    void theServiceAccountsDeviceClaimIsNoDeviceType() {
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_DEVICETYPES", "phone,service")))
                .isInstanceOf(BrokerConfig.InvalidConfigException.class)
                .hasMessageContaining("MQCHAT_DEVICETYPES").hasMessageContaining("reserved for service accounts");
    }

    @Test
    void recallWindowAndHistoryPolicyAreReadAndValidated() {
        BrokerConfig defaults = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET));
        assertThat(defaults.recallWindow()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(defaults.historyPolicy().modeOf("web")).isEqualTo(io.mqchat.common.auth.HistoryPolicy.Mode.ALL);
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_RECALL_WINDOW", "1h", "MQCHAT_HISTORYPOLICY", "web=since-login,iot=none"));
        assertThat(c.recallWindow()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(c.historyPolicy().modeOf("iot")).isEqualTo(io.mqchat.common.auth.HistoryPolicy.Mode.NONE);
        assertThat(c.historyPolicy().modeOf("web")).isEqualTo(io.mqchat.common.auth.HistoryPolicy.Mode.SINCE_LOGIN);
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_RECALL_WINDOW", "0s", "MQCHAT_HISTORYPOLICY", "web=sometimes")))
                .hasMessageContaining("MQCHAT_RECALL_WINDOW (recall.window) must be between 1s and 30d")
                .hasMessageContaining("MQCHAT_HISTORYPOLICY (history-policy)")
                .hasMessageContaining("'sometimes' is not a mode");
    }

    @Test
    void groupCacheAndForwardingAreReadAndValidated() {
        BrokerConfig defaults = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET));
        assertThat(defaults.groupCacheTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.forwardToPeers()).isTrue();
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_GROUPS_CACHETTL", "30s", "MQCHAT_BUS_FORWARD", "off"));
        assertThat(c.groupCacheTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.forwardToPeers()).isFalse();
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_GROUPS_CACHETTL", "2h", "MQCHAT_BUS_FORWARD", "sometimes")))
                .hasMessageContaining("MQCHAT_GROUPS_CACHETTL (groups.cache-ttl) must be between 1s and 1h")
                .hasMessageContaining("MQCHAT_BUS_FORWARD (bus.forward) must be 'auto' or 'off'");
    }

    @Test
    void limitsAndRetryWindowAreReadAndValidated() {
        BrokerConfig defaults = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET));
        assertThat(defaults.limits().userPublish().toString()).isEqualTo("20/s,burst=100");
        assertThat(defaults.limits().connect().isOff()).isFalse();
        assertThat(defaults.limits().qos0Pending()).isEqualTo(100);
        assertThat(defaults.retryWindow()).isEqualTo(Duration.ofMinutes(5));
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_RATELIMIT_PUBLISH", "off", "MQCHAT_RATELIMIT_CONNECT", "5/m,burst=10",
                "MQCHAT_LIMITS_QOS0PENDING", "10", "MQCHAT_RETRY_WINDOW", "1h"));
        assertThat(c.limits().userPublish().isOff()).isTrue();
        assertThat(c.limits().connect().burst()).isEqualTo(10);
        assertThat(c.limits().qos0Pending()).isEqualTo(10);
        assertThat(c.retryWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(c.toString()).contains("5/m,burst=10");
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_RATELIMIT_PUBLISH", "lots", "MQCHAT_RATELIMIT_CONNECT", "0/s",
                "MQCHAT_LIMITS_QOS0PENDING", "0", "MQCHAT_RETRY_WINDOW", "1s")))
                .hasMessageContaining("MQCHAT_RATELIMIT_PUBLISH (ratelimit.publish): 'lots' is not a rate")
                .hasMessageContaining("MQCHAT_RATELIMIT_CONNECT (ratelimit.connect)")
                .hasMessageContaining("MQCHAT_LIMITS_QOS0PENDING (limits.qos0-pending) must be between 1 and")
                .hasMessageContaining("MQCHAT_RETRY_WINDOW (retry.window) must be between 10s and 1d");
    }

    @Test
    void redisAddressesWithCredentialsAndTlsAreAccepted() {
        for (String ok : new String[]{"redis://redis:6379", "redis://:s3cret-pw@redis:6379",
                "redis://chat:s3cret-pw@redis:6379", "rediss://redis:6380"}) {
            BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                    "MQCHAT_REDIS_ADDRESS", ok));
            assertThat(c.redis().serverAddress()).as(ok).doesNotContain("s3cret-pw");
            assertThat(c.toString()).as(ok).doesNotContain("s3cret-pw");
        }
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_REDIS_ADDRESS", "redis://chat:s3cret-pw@redis:6379"));
        assertThat(c.redis().username()).isEqualTo("chat");
        assertThat(c.redis().password()).isEqualTo("s3cret-pw");
    }

    @Test
    void refusedRedisAddressNamesTheVariableAndHidesThePassword() {
        for (String bad : new String[]{"redis:6379", "redis://redis", "redis://s3cret-pw@redis:6379",
                "redis://:s3cret-pw@redis:6379/0", "http://:s3cret-pw@redis:6379"}) {
            assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                    "MQCHAT_REDIS_ADDRESS", bad))).as(bad)
                    .isInstanceOf(BrokerConfig.InvalidConfigException.class)
                    .hasMessageContaining("MQCHAT_REDIS_ADDRESS (redis.address)")
                    .hasMessageNotContaining("s3cret-pw");
        }
    }

    @Test
    void webhookQueueAndRefreshHaveDefaultsAndBounds() {
        BrokerConfig defaults = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET));
        assertThat(defaults.webhooks()).isEqualTo(new BrokerConfig.Webhooks(10_000, Duration.ofSeconds(5)));
        BrokerConfig c = BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_WEBHOOKS_QUEUE", "500", "MQCHAT_WEBHOOKS_REFRESH", "200ms"));
        assertThat(c.webhooks()).isEqualTo(new BrokerConfig.Webhooks(500, Duration.ofMillis(200)));
        assertThat(c.withStore(Duration.ofSeconds(2), 10, 1).webhooks()).isEqualTo(c.webhooks());
        assertThatThrownBy(() -> BrokerConfig.load(new Properties(), Map.of("MQCHAT_JWT_SECRET", SECRET,
                "MQCHAT_WEBHOOKS_QUEUE", "5", "MQCHAT_WEBHOOKS_REFRESH", "1ms")))
                .hasMessageContaining("MQCHAT_WEBHOOKS_QUEUE").hasMessageContaining("MQCHAT_WEBHOOKS_REFRESH");
    }
}
