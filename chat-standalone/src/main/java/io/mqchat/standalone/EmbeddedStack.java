package io.mqchat.standalone;

import io.mqchat.api.ChatApiApplication;
import io.mqchat.broker.BrokerConfig;
import io.mqchat.broker.ChatExtensionMain;
import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import io.mqchat.embedded.EmbeddedRedis;
import io.mqchat.embedded.OwnerOnlyFiles;
import io.mqchat.history.HistoryServiceApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The whole system in one process: MongoDB (embedded on a file, or external), Redis (embedded or
 * external), chat-api, history-service, and HiveMQ with the mqchat extension. Started in dependency
 * order, closed in reverse.
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);

    /** Environment variables of the REST apps (recall window and history policy: the broker's too; admins and their broadcast limit: chat-api's), by property. */
    private static final Map<String, String> SHARED = Map.of(
            "MQCHAT_RECALL_WINDOW", "mqchat.recall.window",
            "MQCHAT_HISTORYPOLICY", "mqchat.history-policy",
            "MQCHAT_RETENTION", "mqchat.retention",
            "MQCHAT_SYNC_HOLE_GRACE", "mqchat.sync.hole-grace",
            "MQCHAT_ADMINS", "mqchat.admins",
            "MQCHAT_RATELIMIT_BROADCAST", "mqchat.ratelimit.broadcast");

    /** chat-api's webhook settings, by variable (the broker reads its own, the queue and the refresh, from env). */
    private static final Map<String, String> WEBHOOKS = Map.ofEntries(
            Map.entry("MQCHAT_WEBHOOKS_ALLOWPRIVATE", "allow-private"),
            Map.entry("MQCHAT_WEBHOOKS_MAXATTEMPTS", "max-attempts"),
            Map.entry("MQCHAT_WEBHOOKS_BACKOFFBASE", "backoff-base"),
            Map.entry("MQCHAT_WEBHOOKS_BACKOFFMAX", "backoff-max"),
            Map.entry("MQCHAT_WEBHOOKS_CONNECTTIMEOUT", "connect-timeout"),
            Map.entry("MQCHAT_WEBHOOKS_READTIMEOUT", "read-timeout"),
            Map.entry("MQCHAT_WEBHOOKS_CONCURRENCY", "concurrency"),
            Map.entry("MQCHAT_WEBHOOKS_PERENDPOINT", "per-endpoint"),
            Map.entry("MQCHAT_WEBHOOKS_QUEUE", "queue"),
            Map.entry("MQCHAT_WEBHOOKS_REFRESH", "refresh"),
            Map.entry("MQCHAT_WEBHOOKS_POLLINTERVAL", "poll-interval"),
            Map.entry("MQCHAT_WEBHOOKS_MAXENDPOINTS", "max-endpoints"),
            Map.entry("MQCHAT_WEBHOOKS_DISPATCH", "dispatch"),
            Map.entry("MQCHAT_WEBHOOKS_KEEPDELIVERED", "keep-delivered"));

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final StandaloneSettings settings;
    private final String mongoUri;
    private final String redisAddress;
    private ConfigurableApplicationContext chatApi;

    private EmbeddedStack(StandaloneSettings settings, String mongoUri, String redisAddress) {
        this.settings = settings;
        this.mongoUri = mongoUri;
        this.redisAddress = redisAddress;
    }

    /** The stack could not start; the message says what to change. */
    public static class StartFailedException extends IllegalStateException {
        public StartFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static EmbeddedStack start(StandaloneSettings settings, Map<String, String> env) {
        EmbeddedBroker.Settings brokerSettings = new EmbeddedBroker.Settings(settings.bindAddress(), settings.mqttPort(),
                settings.websocketPort(), 256 * 1024, 1000, 100);
        // before anything else starts: a taken MQTT port is the likeliest start failure (another broker running)
        requireFreeBrokerPorts(brokerSettings);
        OwnerOnlyFiles.prepareDataFolder(settings.dataDir());
        String secret = settings.jwtSecretOrGenerated();
        BrokerHealthIndicator brokerHealth = new BrokerHealthIndicator();
        EmbeddedStack stack = null;
        try {
            String mongoUri = settings.mongoUri();
            EmbeddedMongo mongo = null;
            if (mongoUri == null) {
                mongo = EmbeddedMongo.onFile(settings.dataDir().resolve("mongo").resolve("mqchat.mv"), 0,
                        settings.embeddedFsync());
                mongoUri = mongo.uri("mqchat");
            }
            String redisAddress = settings.redisAddress();
            EmbeddedRedis redis = null;
            if (redisAddress == null) {
                redis = EmbeddedRedis.start(0, settings.dataDir().resolve("redis"));
                redisAddress = redis.address();
            }
            stack = new EmbeddedStack(settings, mongoUri, redisAddress);
            if (mongo != null) {
                stack.started.push(mongo);
            }
            if (redis != null) {
                stack.started.push(redis);
            }
            // The REST apps first: Spring Boot then owns logging, which HiveMQ (started without its own
            // logging bootstrap) shares.
            stack.chatApi = run(ChatApiApplication.builder()
                    .properties(springProperties(settings, settings.apiPort(), mongoUri, redisAddress, secret, env))
                    // chat-api's /actuator/health is the stack's: it reports the broker too
                    .initializers(context -> context.getBeanFactory()
                            .registerSingleton("brokerHealthIndicator", brokerHealth)),
                    "MQCHAT_API_PORT", settings.apiPort());
            stack.started.push(stack.chatApi);
            stack.started.push(run(HistoryServiceApplication.builder()
                    .properties(springProperties(settings, settings.historyPort(), mongoUri, redisAddress, secret, env)),
                    "MQCHAT_HISTORY_PORT", settings.historyPort()));

            Properties brokerProperties = new Properties();
            brokerProperties.setProperty("mongo.uri", mongoUri);
            brokerProperties.setProperty("redis.address", redisAddress);
            brokerProperties.setProperty("jwt.secret", secret);
            BrokerConfig brokerConfig = BrokerConfig.load(brokerProperties, env);
            ChatExtensionMain extension = new ChatExtensionMain(brokerConfig);
            EmbeddedBroker broker;
            try {
                broker = EmbeddedBroker.start(settings.dataDir().resolve("hivemq"), brokerSettings, extension, true);
            } catch (EmbeddedBroker.ListenerUnavailableException e) {
                throw listenerFailure(e);
            }
            stack.started.push(broker);
            if (!extension.isRunning()) {
                // Embedded HiveMQ without an authenticator admits everyone: never leave it running like that.
                throw new IllegalStateException("the mqchat broker extension did not start: "
                        + extension.startFailure().orElse("unknown reason"));
            }
            brokerHealth.watch(broker, extension);
            return stack;
        } catch (RuntimeException e) {
            if (stack != null) {
                stack.close();
            }
            throw e;
        }
    }

    private static void requireFreeBrokerPorts(EmbeddedBroker.Settings brokerSettings) {
        try {
            EmbeddedBroker.requireFreePorts(brokerSettings);
        } catch (EmbeddedBroker.ListenerUnavailableException e) {
            throw listenerFailure(e);
        }
    }

    /** Starts a REST app; a taken port fails naming the variable to change (Spring's message does not). */
    private static ConfigurableApplicationContext run(SpringApplicationBuilder app, String portVariable, int port) {
        try {
            return app.run();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof PortInUseException) {
                    throw new StartFailedException("cannot start mqchat: port " + port + " is in use. Stop what uses it "
                            + "or set " + portVariable + " to a free port", e);
                }
            }
            throw e;
        }
    }

    /** Names the setting to change: the port's variable, or the bind address's. */
    private static StartFailedException listenerFailure(EmbeddedBroker.ListenerUnavailableException e) {
        String variable = e.listener().equals("MQTT") ? "MQCHAT_MQTT_PORT" : "MQCHAT_WS_PORT";
        return new StartFailedException("cannot start mqchat: " + e.getMessage() + ". Stop what uses port " + e.port()
                + " (another MQTT broker?) or set " + variable + " to a free port (or MQCHAT_BIND_ADDRESS to an "
                + "address of this machine)", e);
    }

    private static Map<String, Object> springProperties(StandaloneSettings s, int port, String mongoUri,
                                                        String redisAddress, String secret, Map<String, String> env) {
        Map<String, Object> p = new HashMap<>();
        // REST settings (some shared with the broker) also when the stack is started with an environment map
        // rather than the process environment (which still wins)
        SHARED.forEach((variable, property) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                p.put(property, value.strip());
            }
        });
        WEBHOOKS.forEach((variable, property) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                p.put("mqchat.webhooks." + property, value.strip());
            }
        });
        p.put("server.port", port);
        p.put("server.address", s.bindAddress());
        p.put("mqchat.mongo.uri", mongoUri);
        p.put("mqchat.redis.address", redisAddress);
        p.put("mqchat.jwt.secret", secret);
        // two Spring apps share one JVM-wide logging system; naming lines by app would mislabel them
        p.put("logging.include-application-name", false);
        if (s.logFormat().equals("text")) {
            p.put("logging.config", "classpath:mqchat-logback.xml");
        } else {
            p.put("logging.config", "classpath:mqchat-logback-structured.xml");
            p.put("logging.structured.format.console", s.logFormat());
        }
        p.put("logging.level.jetbrains.exodus", "WARN");
        p.put("logging.level.migrations", "WARN");
        p.put("logging.level.de.bwaldvogel", "WARN");
        // The embedded store cannot build compound/sparse secondary indexes and says so at every start;
        // queries still work (by scanning). Real MongoDB builds them.
        p.put("logging.level.de.bwaldvogel.mongo.backend.AbstractMongoDatabase", "ERROR");
        p.put("logging.level.org.mongodb.driver", "WARN");
        p.put("logging.level.org.redisson", "WARN");
        p.put("spring.main.banner-mode", "off");
        return p;
    }

    public String mongoUri() {
        return mongoUri;
    }

    /** The Redis address in use; the embedded Redis's carries its password, so do not log it. */
    public String redisAddress() {
        return redisAddress;
    }

    /** chat-api's application context (its health registry holds the broker's indicator). */
    ConfigurableApplicationContext chatApiContext() {
        return chatApi;
    }

    public StandaloneSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                if (next instanceof ConfigurableApplicationContext context) {
                    context.close();
                } else {
                    next.close();
                }
            } catch (Exception e) {
                log.warn("mqchat: error while stopping {}: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
