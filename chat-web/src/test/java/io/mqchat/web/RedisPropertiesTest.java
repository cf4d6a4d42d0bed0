package io.mqchat.web;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mqchat.redis.address}: the forms accepted, the ones refused, and the password never shown. */
class RedisPropertiesTest {

    private static jakarta.validation.ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void validator() {
        factory = Validation.buildDefaultValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    private static String problems(String address) {
        Set<ConstraintViolation<RedisProperties>> violations = validator.validate(new RedisProperties(address));
        return violations.stream().map(ConstraintViolation::getMessage).collect(Collectors.joining("; "));
    }

    @Test
    void passwordUserAndTlsFormsAreAccepted() {
        assertThat(problems("redis://redis:6379")).isEmpty();
        assertThat(problems("redis://:s3cret-pw@redis:6379")).isEmpty();
        assertThat(problems("redis://chat:s3cret-pw@redis:6379")).isEmpty();
        assertThat(problems("rediss://redis:6380")).isEmpty();
        RedisProperties redis = new RedisProperties("redis://chat:s3cret-pw@redis:6379");
        assertThat(redis.parsed().username()).isEqualTo("chat");
        assertThat(redis.parsed().password()).isEqualTo("s3cret-pw");
        assertThat(redis.parsed().serverAddress()).isEqualTo("redis://redis:6379");
    }

    @Test
    void malformedAddressesAreRefusedNamingTheVariable() {
        for (String bad : new String[]{"redis:6379", "redis://redis", "http://redis:6379", "redis://s3cret-pw@redis:6379"}) {
            assertThat(problems(bad)).as(bad).contains("MQCHAT_REDIS_ADDRESS").doesNotContain("s3cret-pw");
        }
    }

    @Test
    void thePasswordIsNotPrinted() {
        assertThat(new RedisProperties("redis://:s3cret-pw@redis:6379").toString())
                .contains("redis:6379").doesNotContain("s3cret-pw");
    }
}
