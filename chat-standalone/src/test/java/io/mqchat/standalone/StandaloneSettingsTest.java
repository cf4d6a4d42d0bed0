package io.mqchat.standalone;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StandaloneSettingsTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

    @Test
    void redisAddressesWithCredentialsAndTlsAreAccepted() {
        for (String ok : new String[]{"redis://redis:6379", "redis://:s3cret-pw@redis:6379",
                "redis://chat:s3cret-pw@redis:6379", "rediss://redis:6380"}) {
            StandaloneSettings s = StandaloneSettings.fromEnvironment(Map.of("MQCHAT_REDIS_ADDRESS", ok));
            assertThat(s.redisAddress()).isEqualTo(ok);
        }
    }

    @Test
    void refusedRedisAddressNamesTheVariableAndHidesThePassword() {
        for (String bad : new String[]{"redis:6379", "redis://redis", "redis://s3cret-pw@redis:6379",
                "http://:s3cret-pw@redis:6379"}) {
            assertThatThrownBy(() -> StandaloneSettings.fromEnvironment(Map.of("MQCHAT_REDIS_ADDRESS", bad))).as(bad)
                    .isInstanceOf(StandaloneSettings.InvalidSettingsException.class)
                    .hasMessageContaining("MQCHAT_REDIS_ADDRESS")
                    .hasMessageNotContaining("s3cret-pw");
        }
    }

    @Test
    void printedSettingsHideSecretsAndCredentials() {
        StandaloneSettings s = StandaloneSettings.fromEnvironment(Map.of(
                "MQCHAT_REDIS_ADDRESS", "redis://chat:s3cret-pw@redis:6379",
                "MQCHAT_MONGO_URI", "mongodb://app:m0ngo-pw@mongo:27017/mqchat",
                "MQCHAT_JWT_SECRET", SECRET));
        assertThat(s.toString()).contains("redis:6379", "mongo:27017")
                .doesNotContain("s3cret-pw").doesNotContain("m0ngo-pw").doesNotContain(SECRET);
    }

    @Test
    void embeddedFsyncIsOffUnlessSetToTrue() {
        assertThat(StandaloneSettings.fromEnvironment(Map.of()).embeddedFsync()).isFalse();
        assertThat(StandaloneSettings.fromEnvironment(Map.of("MQCHAT_EMBEDDED_FSYNC", "true")).embeddedFsync()).isTrue();
        assertThat(StandaloneSettings.fromEnvironment(Map.of("MQCHAT_EMBEDDED_FSYNC", "false")).embeddedFsync())
                .isFalse();
    }

    @Test
    void refusedEmbeddedFsyncNamesTheVariable() {
        for (String bad : new String[]{"yes", "1", "TRUE", "on"}) {
            assertThatThrownBy(() -> StandaloneSettings.fromEnvironment(Map.of("MQCHAT_EMBEDDED_FSYNC", bad))).as(bad)
                    .isInstanceOf(StandaloneSettings.InvalidSettingsException.class)
                    .hasMessageContaining("MQCHAT_EMBEDDED_FSYNC must be true or false, was '" + bad + "'");
        }
    }
}
