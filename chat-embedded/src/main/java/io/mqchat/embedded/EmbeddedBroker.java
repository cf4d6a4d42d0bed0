package io.mqchat.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HiveMQ CE in this process with an extension loaded in-process (no zip), MQTT over TCP and WebSocket.
 * HiveMQ needs its config, data and extensions folders to exist before it starts; they live under
 * {@code home}.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Listener and limit settings written to HiveMQ's config.xml. */
    public record Settings(String bindAddress, int mqttPort, int websocketPort, int maxPacketBytes,
                           int maxQueuedMessages, int serverReceiveMaximum) {
        public static Settings defaults(int mqttPort, int websocketPort) {
            return new Settings("0.0.0.0", mqttPort, websocketPort, 256 * 1024, 1000, 100);
        }
    }

    private final EmbeddedHiveMQ hivemq;
    private final Settings settings;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, Settings settings) {
        this.hivemq = hivemq;
        this.settings = settings;
    }

    /**
     * @param extension     the extension to load (null: none — only for baselines; the broker is then open)
     * @param leaveLogging  true when the host application (Spring Boot) owns logging
     */
    public static EmbeddedBroker start(Path home, Settings settings, ExtensionMain extension, boolean leaveLogging) {
        Path conf = home.resolve("conf");
        Path data = home.resolve("data");
        Path extensions = home.resolve("extensions");
        // HiveMQ's folders are ours: owner-only, like the rest of the data folder (its persistence holds
        // queued messages)
        OwnerOnlyFiles.createDirectories(home);
        OwnerOnlyFiles.ownerOnlyFolder(conf);
        OwnerOnlyFiles.ownerOnlyFolder(data);
        OwnerOnlyFiles.ownerOnlyFolder(extensions);
        OwnerOnlyFiles.writeString(conf.resolve("config.xml"), configXml(settings));
        var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions);
        if (leaveLogging) {
            builder.withoutLoggingBootstrap();
        }
        if (extension != null) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder()
                    .withId("mqchat-extension").withName("mqchat").withVersion("embedded")
                    .withPriority(1000).withStartPriority(1000).withAuthor("mqchat")
                    .withExtensionMain(extension).build());
        }
        EmbeddedHiveMQ hivemq = builder.build();
        try {
            hivemq.start().get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } catch (ExecutionException | TimeoutException e) {
            try {
                hivemq.close();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("HiveMQ did not start: " + e.getMessage(), e);
        }
        return new EmbeddedBroker(hivemq, settings);
    }

    public int mqttPort() {
        return settings.mqttPort();
    }

    public int websocketPort() {
        return settings.websocketPort();
    }

    public String tcpUri() {
        return "tcp://127.0.0.1:" + settings.mqttPort();
    }

    @Override
    public void close() {
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
            hivemq.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("HiveMQ did not stop cleanly", e);
        }
    }

    static String configXml(Settings s) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                        <websocket-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <path>/mqtt</path>
                            <name>websocket</name>
                            <subprotocols>
                                <subprotocol>mqttv3.1</subprotocol>
                                <subprotocol>mqtt</subprotocol>
                            </subprotocols>
                            <allow-extensions>true</allow-extensions>
                        </websocket-listener>
                    </listeners>
                    <mqtt>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(s.mqttPort(), s.bindAddress(), s.websocketPort(), s.bindAddress(), s.maxPacketBytes(),
                s.maxQueuedMessages(), s.serverReceiveMaximum());
    }
}
