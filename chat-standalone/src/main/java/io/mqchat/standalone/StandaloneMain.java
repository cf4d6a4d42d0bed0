package io.mqchat.standalone;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar mqchat-standalone.jar}: the whole system in one process, configured by MQCHAT_* variables. */
public final class StandaloneMain {

    private static final Logger log = LoggerFactory.getLogger(StandaloneMain.class);

    private StandaloneMain() {
    }

    public static void main(String[] args) {
        StandaloneSettings settings;
        try {
            settings = StandaloneSettings.fromEnvironment(System.getenv());
        } catch (StandaloneSettings.InvalidSettingsException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        EmbeddedStack stack;
        try {
            stack = EmbeddedStack.start(settings, System.getenv());
        } catch (RuntimeException e) {
            // whatever started has been stopped again; say why and exit non-zero instead of running half a stack
            if (e instanceof EmbeddedStack.StartFailedException) {
                System.err.println(e.getMessage()); // says what to change; the stack trace would bury it
            } else {
                log.error("mqchat did not start: {}", e.getMessage(), e);
            }
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "mqchat-shutdown"));
        log.info("mqchat is up: MQTT tcp://{}:{}, MQTT over WebSocket ws://{}:{}/mqtt, chat-api http://{}:{}, "
                        + "history-service http://{}:{}, data in {}{}{}",
                settings.bindAddress(), settings.mqttPort(), settings.bindAddress(), settings.websocketPort(),
                settings.bindAddress(), settings.apiPort(), settings.bindAddress(), settings.historyPort(),
                settings.dataDir().toAbsolutePath(),
                settings.mongoUri() == null ? " (embedded MongoDB)" : " (external MongoDB)",
                settings.redisAddress() == null ? " (embedded Redis)" : " (external Redis)");
    }
}
