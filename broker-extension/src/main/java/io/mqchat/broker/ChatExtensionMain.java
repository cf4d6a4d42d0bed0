package io.mqchat.broker;

import io.mqchat.broker.store.MessageWrites;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.micrometer.core.instrument.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The extension's entry point: reads the configuration, has {@link ChatBroker} build everything, and registers
 * its SDK roles with HiveMQ. Loaded from the extension zip by a stock HiveMQ (configuration from
 * {@code conf/config.properties} and {@code MQCHAT_*} environment variables) or handed a ready configuration by
 * the embedded stack.
 */
public final class ChatExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(ChatExtensionMain.class);

    private final BrokerConfig givenConfig;
    private final UnaryOperator<MessageWrites> writes;
    private volatile ChatBroker broker;
    private volatile String startFailure;

    /** Used by HiveMQ when loading the zip. */
    public ChatExtensionMain() {
        this(null);
    }

    /** Used by the embedded stack. */
    public ChatExtensionMain(BrokerConfig config) {
        this(config, UnaryOperator.identity());
    }

    /** For tests: {@code writes} wraps the store's writes (to inject latency and failures). */
    ChatExtensionMain(BrokerConfig config, UnaryOperator<MessageWrites> writes) {
        this.givenConfig = config;
        this.writes = writes;
    }

    @Override
    public void extensionStart(@NotNull ExtensionStartInput input, @NotNull ExtensionStartOutput output) {
        BrokerConfig config;
        try {
            config = givenConfig != null ? givenConfig
                    : BrokerConfig.fromExtensionFolder(input.getExtensionInformation().getExtensionHomeFolder().toPath(),
                    System.getenv());
        } catch (BrokerConfig.InvalidConfigException e) {
            fail(output, e.getMessage());
            return;
        }
        ChatBroker started;
        try {
            started = ChatBroker.start(config, Metrics.globalRegistry, writes);
        } catch (RuntimeException e) {
            fail(output, "mqchat cannot reach its stores (" + config + "): " + e.getMessage());
            return;
        }
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> started.authenticator());
        Services.securityRegistry().setAuthorizerProvider(providerInput -> started.authorizer());
        Services.eventRegistry().setClientLifecycleEventListener(providerInput -> started.lifecycle());
        Services.initializerRegistry().setClientInitializer(started.initializer());
        broker = started;
        log.info("mqchat extension started: {}", config);
    }

    private void fail(ExtensionStartOutput output, String reason) {
        startFailure = reason;
        log.error("mqchat extension not started: {}", reason);
        output.preventExtensionStartup(reason);
    }

    /**
     * Whether the extension is up. An embedding application must check this after the broker started:
     * embedded HiveMQ without an authenticating extension lets every client in.
     */
    public boolean isRunning() {
        return broker != null;
    }

    /** Why the extension did not start, if it did not. */
    public Optional<String> startFailure() {
        return Optional.ofNullable(startFailure);
    }

    @Override
    public void extensionStop(@NotNull ExtensionStopInput input, @NotNull ExtensionStopOutput output) {
        ChatBroker running = broker;
        broker = null;
        if (running != null) {
            running.close();
        }
        log.info("mqchat extension stopped");
    }
}
