package io.mqchat.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HiveMQ runs on without a listener it cannot bind; the embedded broker refuses to. */
class EmbeddedBrokerListenerTest {

    @TempDir
    Path home;

    @Test
    void aTakenMqttPortStopsTheStartNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EmbeddedBroker.Settings settings = new EmbeddedBroker.Settings("127.0.0.1", taken.getLocalPort(),
                    FreePorts.next(), 256 * 1024, 1000, 100);
            assertThatThrownBy(() -> EmbeddedBroker.start(home, settings, null, false))
                    .isInstanceOfSatisfying(EmbeddedBroker.ListenerUnavailableException.class, e -> {
                        assertThat(e.listener()).isEqualTo("MQTT");
                        assertThat(e.port()).isEqualTo(taken.getLocalPort());
                    })
                    .hasMessageContaining("cannot listen for MQTT on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aTakenWebSocketPortStopsTheStartToo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EmbeddedBroker.Settings settings = new EmbeddedBroker.Settings("127.0.0.1", FreePorts.next(),
                    taken.getLocalPort(), 256 * 1024, 1000, 100);
            assertThatThrownBy(() -> EmbeddedBroker.start(home, settings, null, false))
                    .isInstanceOf(EmbeddedBroker.ListenerUnavailableException.class)
                    .hasMessageContaining("MQTT over WebSocket on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void startedBrokerAcceptsConnectionsAndKeepsItsFilesOwnerOnly() throws Exception {
        EmbeddedBroker.Settings settings = EmbeddedBroker.Settings.defaults(FreePorts.next(), FreePorts.next());
        try (EmbeddedBroker broker = EmbeddedBroker.start(home.resolve("hivemq"), settings, null, false)) {
            assertThat(broker.acceptsMqttConnections()).isTrue();
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                home.resolve("hivemq").resolve("conf").resolve("config.xml")))).isEqualTo("rw-------");
    }
}
