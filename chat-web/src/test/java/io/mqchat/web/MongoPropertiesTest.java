package io.mqchat.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MongoPropertiesTest {

    @Test
    void thePasswordOfTheUriIsNeverPrinted() {
        MongoProperties p = new MongoProperties("mongodb://chat:s3cret-pw@mongo:27017/mqchat", Duration.ofSeconds(5));
        assertThat(p.toString()).doesNotContain("s3cret-pw").contains("mongodb://***@mongo:27017/mqchat");
        assertThat(new MongoProperties("mongodb://mongo:27017/mqchat", Duration.ofSeconds(5)).toString())
                .contains("mongodb://mongo:27017/mqchat");
    }
}
