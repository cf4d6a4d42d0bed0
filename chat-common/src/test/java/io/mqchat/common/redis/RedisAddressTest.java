package io.mqchat.common.redis;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisAddressTest {

    @Test
    void plainAddressHasNoCredentials() {
        RedisAddress a = RedisAddress.parse("redis://redis:6379");
        assertThat(a.host()).isEqualTo("redis");
        assertThat(a.port()).isEqualTo(6379);
        assertThat(a.tls()).isFalse();
        assertThat(a.username()).isNull();
        assertThat(a.password()).isNull();
        assertThat(a.serverAddress()).isEqualTo("redis://redis:6379");
        assertThat(a).hasToString("redis://redis:6379");
    }

    @Test
    void passwordOnly() {
        RedisAddress a = RedisAddress.parse("redis://:s3cret@127.0.0.1:6379");
        assertThat(a.username()).isNull();
        assertThat(a.password()).isEqualTo("s3cret");
        assertThat(a.serverAddress()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(a.toString()).isEqualTo("redis://:***@127.0.0.1:6379").doesNotContain("s3cret");
    }

    @Test
    void userAndPasswordPercentDecoded() {
        RedisAddress a = RedisAddress.parse("redis://chat:p%40ss%2Fw0rd@redis.internal:6380");
        assertThat(a.username()).isEqualTo("chat");
        assertThat(a.password()).isEqualTo("p@ss/w0rd");
        assertThat(a.toString()).isEqualTo("redis://chat:***@redis.internal:6380").doesNotContain("p@ss");
    }

    @Test
    void tls() {
        RedisAddress a = RedisAddress.parse("rediss://redis.example.com:6380");
        assertThat(a.tls()).isTrue();
        assertThat(a.serverAddress()).isEqualTo("rediss://redis.example.com:6380");
        assertThat(RedisAddress.parse("rediss://:x@h:6380")).hasToString("rediss://:***@h:6380");
    }

    @Test
    void credentialsGoToRedissonSeparatelyFromTheAddress() {
        SingleServerConfig server = RedisAddress.parse("redis://chat:s3cret@h:6379").applyTo(new Config().useSingleServer());
        assertThat(server.getAddress()).isEqualTo("redis://h:6379");
        assertThat(server.getUsername()).isEqualTo("chat");
        assertThat(server.getPassword()).isEqualTo("s3cret");
    }

    @Test
    void refusedFormsSayWhyWithoutThePassword() {
        for (String bad : new String[]{"localhost", "localhost:6379", "http://h:6379", "redis://h", "redis://:6379",
                "redis://h:6379/0", "redis://h:6379?x=1", "redis://s3cret@h:6379", "redis://:@h:6379",
                "redis://:s3 cret@h:6379", ""}) {
            assertThatThrownBy(() -> RedisAddress.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("s3 cret"));
            assertThat(RedisAddress.isValid(bad)).as(bad).isFalse();
        }
        assertThat(RedisAddress.isValid(null)).isFalse();
    }

    @Test
    void redactHidesCredentialsEvenOfAddressesThatDoNotParse() {
        assertThat(RedisAddress.redact("redis://:s3cret@h:6379")).isEqualTo("redis://***@h:6379");
        assertThat(RedisAddress.redact("redis://u:s3/c@ret@h:6379")).isEqualTo("redis://***@h:6379");
        assertThat(RedisAddress.redact("redis://h:6379")).isEqualTo("redis://h:6379");
        assertThat(RedisAddress.redact(null)).isNull();
    }
}
