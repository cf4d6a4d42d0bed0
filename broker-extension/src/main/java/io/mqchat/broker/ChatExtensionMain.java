package io.mqchat.broker;

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

import io.mqchat.common.limits.RateLimiter;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * Wires the mqchat extension: configuration, backend, authenticator, authorizer, publish interceptor.
 * Loaded from the extension zip by a stock HiveMQ (configuration from {@code conf/config.properties}
 * and {@code MQCHAT_*} environment variables) or handed a ready configuration by the embedded stack.
 */
public final class ChatExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(ChatExtensionMain.class);

    private final BrokerConfig givenConfig;
    private final java.util.function.UnaryOperator<MessageWrites> writes;
    private volatile ChatBackend backend;
    private volatile NodeBus bus;
    private volatile Presence presence;
    private volatile PeerForwarder peers;
    private volatile String startFailure;

    /** Used by HiveMQ when loading the zip. */
    public ChatExtensionMain() {
        this(null);
    }

    /** Used by the embedded stack. */
    public ChatExtensionMain(BrokerConfig config) {
        this(config, java.util.function.UnaryOperator.identity());
    }

    /** For tests: {@code writes} wraps the store's writes (to inject latency and failures). */
    ChatExtensionMain(BrokerConfig config, java.util.function.UnaryOperator<MessageWrites> writes) {
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
        try {
            backend = new ChatBackend(config, Metrics.globalRegistry, writes);
        } catch (RuntimeException e) {
            fail(output, "mqchat cannot reach its stores (" + config + "): " + e.getMessage());
            return;
        }
        ConnectedDevices connected = new ConnectedDevices();
        String nodeId = UUID.randomUUID().toString();
        peers = config.forwardToPeers() ? new PeerForwarder(nodeId, backend.redisson(), backend.presenceStore,
                Services.publishService(), Metrics.globalRegistry) : null;
        Forwarding forwarding = peers != null ? peers : Forwarding.NONE;
        ServerPublisher publisher = new ServerPublisher(Services.publishService(), forwarding);
        PresenceRevocation presenceRevocation = new PresenceRevocation(backend.presenceVisibility,
                Services.subscriptionStore(), config.deviceTypes(), backend.io);
        GroupSubscriptions groupSubscriptions = new GroupSubscriptions(backend.groups.directory(), backend.groups,
                Services.subscriptionStore(), publisher, config.deviceTypes(), backend.io, presenceRevocation);
        bus = new NodeBus(backend.redisson(), Services.publishService(), Services.clientService(), connected,
                groupSubscriptions, peers);
        presence = new Presence(backend.presenceStore, Services.publishService(), Services.extensionExecutorService(),
                backend.io, nodeId, config.presenceGrace(), config.presenceHeartbeat(), Clock.systemUTC());
        presence.forwardTo(forwarding);
        if (peers != null) {
            // after Presence wrote this node's heartbeat: the other nodes can tell it is alive
            peers.start(bus, Services.extensionExecutorService(), backend.io, config.presenceHeartbeat());
        }
        removeForbiddenRetained();
        TokenAuthenticator authenticator = new TokenAuthenticator(backend.tokens, config.deviceTypes(),
                backend.deviceLogins, connected, config.storeTimeout(), Services.extensionExecutorService(),
                new RateLimiter(backend.redisson()), config.limits().connect());
        PublishReceipts receipts = new PublishReceipts();
        SubscribeReasons subscribeReasons = new SubscribeReasons();
        TopicAuthorizer authorizer = new TopicAuthorizer(backend.presenceVisibility, backend.groups, config.storeTimeout(),
                Services.extensionExecutorService(), receipts, subscribeReasons);
        // longer than any disconnect takes: when the hold runs out HiveMQ writes the PUBREC after all
        PubrecGuard pubrecGuard = new PubrecGuard(Services.clientService(), Duration.ofSeconds(60));
        PublishPipeline pipeline = new PublishPipeline(backend.acceptor, publisher, Services.clientService(),
                backend.health, Services.extensionExecutorService(), backend.timers, config.storeTimeout(),
                config.limits().inflightPerConnection(), config.limits().inflightBytes(), config.limits().qos0Pending(),
                Metrics.globalRegistry);
        ConnectionLifecycle lifecycle = new ConnectionLifecycle(connected, presence, pipeline);
        ChatPublishInterceptor interceptor = new ChatPublishInterceptor(backend.parser, backend.acceptor, pipeline,
                publisher, backend.syncRequests(config, publisher), config.storeTimeout(),
                Services.extensionExecutorService(), Metrics.globalRegistry);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizer);
        Services.eventRegistry().setClientLifecycleEventListener(providerInput -> lifecycle);
        // The initializer runs once per connection, after authentication and the session's set-up: the
        // place to give a member's device its group subscriptions.
        Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) -> {
            String clientId = initializerInput.getClientInformation().getClientId();
            java.util.Optional<io.mqchat.common.protocol.ClientId> device = io.mqchat.common.protocol.ClientId.parse(clientId);
            if (device.isEmpty()) {
                return; // not one of ours (cannot pass authentication); no interceptors, so the authorizer refuses all
            }
            ConnectionPublishes publishes = pipeline.connected(initializerInput.getConnectionInformation(), clientId,
                    device.get());
            clientContext.addPublishInboundInterceptor(interceptor.forConnection(publishes));
            clientContext.addPubackOutboundInterceptor(publishes);
            clientContext.addPublishInboundInterceptor(receipts); // after the chat interceptor: its receipt
            clientContext.addPubrecOutboundInterceptor(pubrecGuard);
            clientContext.addSubscribeInboundInterceptor(subscribeReasons);
            groupSubscriptions.connected(device.get());
        });
        log.info("mqchat extension started: {}", config);
    }

    /**
     * Removes retained messages where none may be, before HiveMQ opens its listeners (extensions start first),
     * so no subscriber gets one; waits a bounded time, then lets it finish in the background.
     */
    private void removeForbiddenRetained() {
        java.util.concurrent.CompletableFuture<Integer> cleanup = new RetainedCleanup(Services.retainedMessageStore(),
                Services.extensionExecutorService()).run().whenComplete((removed, error) -> {
                    if (error != null) {
                        log.warn("mqchat: could not remove retained messages from chat topics: {}", error.toString());
                    } else {
                        log.info("mqchat: removed {} retained message(s) from chat/u/, chat/g/, chat/req/, chat/res/",
                                removed);
                    }
                });
        try {
            cleanup.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("mqchat: retained message clean-up not finished at start; it goes on in the background");
        }
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
        return backend != null;
    }

    /** Why the extension did not start, if it did not. */
    public java.util.Optional<String> startFailure() {
        return java.util.Optional.ofNullable(startFailure);
    }

    @Override
    public void extensionStop(@NotNull ExtensionStopInput input, @NotNull ExtensionStopOutput output) {
        if (peers != null) {
            peers.close();
        }
        if (presence != null) {
            presence.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (backend != null) {
            backend.close();
            backend = null;
        }
        log.info("mqchat extension stopped");
    }
}
