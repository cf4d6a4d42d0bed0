package io.mqchat.broker;

import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.FreePorts;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An extension that cannot reach its stores does not start, and says why. That matters: embedded HiveMQ
 * without an authenticating extension admits everyone, so an embedding application must check
 * {@link ChatExtensionMain#isRunning()} (the standalone stack does, and stops).
 */
class ExtensionStartFailureTest {

    @TempDir
    Path home;

    @Test
    void unreachableRedisPreventsStartupWithAReason() throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory()) {
            BrokerConfig config = BrokerConfig.of(mongo.uri("mqchat"), "redis://127.0.0.1:" + FreePorts.next(),
                    BrokerFixture.SECRET).withStore(Duration.ofSeconds(1), 16, 1);
            ChatExtensionMain extension = new ChatExtensionMain(config);
            try (EmbeddedBroker ignored = EmbeddedBroker.start(home, new EmbeddedBroker.Settings("127.0.0.1",
                    FreePorts.next(), FreePorts.next(), 64 * 1024, 100, 10), extension, true)) {
                assertThat(extension.isRunning()).isFalse();
                assertThat(extension.startFailure()).hasValueSatisfying(
                        reason -> assertThat(reason).contains("cannot reach its stores"));
            }
        }
    }
}
