package io.mqchat.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
        // HiveMQ only logs a listener it cannot bind and runs on without it (it stops only when no listener at
        // all could be bound), so a taken port is found here, before it starts, and checked again after.
        requireFreePorts(settings);
        EmbeddedHiveMQ hivemq = builder.build();
        try {
            hivemq.start().get(120, TimeUnit.SECONDS);
            requireListening(settings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hivemq);
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(hivemq);
            throw new IllegalStateException("HiveMQ did not start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(hivemq);
            throw e;
        }
        return new EmbeddedBroker(hivemq, settings);
    }

    /** A listener that cannot be opened: its port is taken, or the bind address is not one of this machine's. */
    public static final class ListenerUnavailableException extends IllegalStateException {
        private final String listener;
        private final String bindAddress;
        private final int port;

        ListenerUnavailableException(String listener, String bindAddress, int port, String reason, Throwable cause) {
            super("cannot listen for " + listener + " on " + bindAddress + ":" + port + ": " + reason, cause);
            this.listener = listener;
            this.bindAddress = bindAddress;
            this.port = port;
        }

        /** {@code MQTT} or {@code MQTT over WebSocket}. */
        public String listener() {
            return listener;
        }

        public String bindAddress() {
            return bindAddress;
        }

        public int port() {
            return port;
        }
    }

    /**
     * Fails with a {@link ListenerUnavailableException} if a listener's port cannot be bound now: checked before
     * HiveMQ starts, which would otherwise run without that listener.
     */
    public static void requireFreePorts(Settings settings) {
        requireFree("MQTT", settings.bindAddress(), settings.mqttPort());
        requireFree("MQTT over WebSocket", settings.bindAddress(), settings.websocketPort());
    }

    private static void requireFree(String listener, String bindAddress, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as a server binds: a port held only by closed connections counts as free
            probe.bind(new InetSocketAddress(bindAddress, port));
        } catch (IOException e) {
            throw new ListenerUnavailableException(listener, bindAddress, port,
                    "the port is in use or the address is not this machine's (" + e.getMessage() + ")", e);
        }
    }

    /** After start: each listener accepts TCP connections (HiveMQ could still have failed to open one). */
    private static void requireListening(Settings settings) {
        requireAccepting("MQTT", settings.bindAddress(), settings.mqttPort());
        requireAccepting("MQTT over WebSocket", settings.bindAddress(), settings.websocketPort());
    }

    private static void requireAccepting(String listener, String bindAddress, int port) {
        if (!accepts(bindAddress, port, 2_000)) {
            throw new ListenerUnavailableException(listener, bindAddress, port,
                    "HiveMQ did not open the listener (its log says why)", null);
        }
    }

    /** Whether a listener bound to {@code bindAddress} (a wildcard address: reached on loopback) accepts a connection. */
    public static boolean accepts(String bindAddress, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            InetAddress address = InetAddress.getByName(bindAddress);
            socket.connect(new InetSocketAddress(address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                    : address, port), timeoutMillis);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this broker's MQTT listener accepts connections now. */
    public boolean acceptsMqttConnections() {
        return accepts(settings.bindAddress(), settings.mqttPort(), 1_000);
    }

    private static void closeQuietly(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // already failing
        }
        try {
            hivemq.close();
        } catch (Exception ignored) {
            // already failing
        }
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
                        <quality-of-service>
                            <max-qos>1</max-qos>
                        </quality-of-service>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(s.mqttPort(), s.bindAddress(), s.websocketPort(), s.bindAddress(), s.maxPacketBytes(),
                s.maxQueuedMessages(), s.serverReceiveMaximum());
    }
}
