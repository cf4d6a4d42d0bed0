package io.mqchat.broker;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.protocol.DeviceTypes;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.RedisAddress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The extension's configuration, validated as a whole: {@link #load} reports every problem at once so
 * that start-up is refused with a message that says what to fix.
 *
 * @param mongoUri             MongoDB connection string (database name in the path, default {@code mqchat})
 * @param redisAddress         Redis address, {@code redis://host:port}, with credentials
 *                             {@code redis://[user]:password@host:port}, {@code rediss://} for TLS
 * @param jwtSecret            the HS256 secret shared with chat-api
 * @param storeTimeout         how long a publish may wait to be stored before it is refused
 * @param storeBatchSize       the most messages written in one insert (group commit)
 * @param storeWriters         concurrent insert batches in flight
 * @param maxPayloadBytes      the largest accepted chat payload
 * @param deviceTypes          the device types a client id may use
 * @param presenceGrace        how long a device may be gone before it is shown offline (no flapping)
 * @param presenceHeartbeat    how often this node renews its heartbeat (its devices count as offline
 *                             three intervals after the node dies)
 * @param recallWindow         how long after sending a sender may recall a message ({@code recall.window},
 *                             the same setting as history-service's {@code MQCHAT_RECALL_WINDOW})
 * @param historyPolicy        how much history each device type may sync ({@code history-policy}, the same
 *                             setting as history-service's {@code MQCHAT_HISTORYPOLICY})
 * @param groupCacheTtl        how long a node keeps a group's members without hearing of a change
 *                             ({@code groups.cache-ttl}; changes clear it at once, this only bounds a lost notice)
 * @param forwardToPeers       whether deliveries are forwarded to other broker nodes over Redis while any are
 *                             alive ({@code bus.forward}: {@code auto}, or {@code off} on a HiveMQ cluster that
 *                             routes between its nodes itself)
 * @param limits               what one account or address may repeat ({@link Limits})
 * @param retryWindow          how long a message's seq stays reserved for retries of its {@code (sender, cid)}
 *                             ({@code retry.window}): a retry within it takes the same seq, so it never leaves a
 *                             hole; a later retry is still stored once, but its new seq is a hole
 * @param webhooks             how this node queues webhook events ({@link Webhooks})
 */
public record BrokerConfig(String mongoUri, String redisAddress, String jwtSecret, Duration storeTimeout,
                           int storeBatchSize, int storeWriters, int maxPayloadBytes, Set<String> deviceTypes,
                           Duration presenceGrace, Duration presenceHeartbeat, Duration recallWindow,
                           HistoryPolicy historyPolicy, Duration groupCacheTtl, boolean forwardToPeers,
                           Limits limits, Duration retryWindow, Webhooks webhooks) {

    /**
     * Webhook events this node produces (messages stored, presence changes); chat-api delivers them.
     *
     * @param queue   events held in memory before they are written to the outbox ({@code webhooks.queue}); more
     *                are dropped and counted, never waited for
     * @param refresh how often the list of endpoints is read again ({@code webhooks.refresh})
     */
    public record Webhooks(int queue, Duration refresh) {
        public static final int DEFAULT_QUEUE = 10_000;
        public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);
    }

    /**
     * Abuse limits, each a token bucket shared by all broker nodes ({@link RateLimit} settings, {@code off} = none).
     *
     * @param userPublish    chat publishes per user account, all devices together ({@code ratelimit.publish})
     * @param connect        CONNECTs per client address ({@code ratelimit.connect}); refused with 0x9F
     * @param qos0Pending    QoS 0 chat publishes of one connection being stored at once
     *                       ({@code limits.qos0-pending}); more are dropped (QoS 0 has no acknowledgement to hold)
     * @param inflightPerConnection QoS 1 chat publishes of one connection queued, being stored or waiting for
     *                       delivery ({@code limits.inflight}); more are refused with 0x97 until PUBACKs went out
     * @param inflightBytes  payload bytes of all publishes in flight on this node ({@code limits.inflight-mb});
     *                       beyond it publishes are refused with 0x97
     */
    public record Limits(RateLimit userPublish, RateLimit connect, int qos0Pending, int inflightPerConnection,
                         long inflightBytes) {
        public static final int DEFAULT_INFLIGHT = 1_000;
        public static final long DEFAULT_INFLIGHT_BYTES = 256L * 1024 * 1024;

        /** No rate limits (benchmarks, and tests that are not about limits); the default memory bounds. */
        public static Limits none() {
            return new Limits(RateLimit.OFF, RateLimit.OFF, 1_000, DEFAULT_INFLIGHT, DEFAULT_INFLIGHT_BYTES);
        }

        /** The same with other bounds on what is in flight. */
        public Limits withInflight(int perConnection, long bytes) {
            return new Limits(userPublish, connect, qos0Pending, perConnection, bytes);
        }
    }

    /** Refused configuration; the message lists every problem. */
    public static class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }

    /** Reads {@code conf/config.properties} of the extension folder (if present) overlaid by the environment. */
    public static BrokerConfig fromExtensionFolder(Path extensionHome, Map<String, String> env) {
        Properties file = new Properties();
        Path conf = extensionHome.resolve("conf").resolve("config.properties");
        if (Files.isRegularFile(conf)) {
            try (InputStream in = Files.newInputStream(conf)) {
                file.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new InvalidConfigException("cannot read " + conf + ": " + e.getMessage());
            }
        }
        return load(file, env);
    }

    /** Builds the configuration from properties (keys like {@code mongo.uri}), environment variables winning. */
    public static BrokerConfig load(Properties file, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Source s = new Source(file, env);
        String mongoUri = s.get("mongo.uri", "mongodb://localhost:27017/mqchat");
        if (!mongoUri.startsWith("mongodb://") && !mongoUri.startsWith("mongodb+srv://")) {
            problems.add(s.name("mongo.uri") + " must be a mongodb:// or mongodb+srv:// URI, was '" + redactUri(mongoUri) + "'");
        }
        String redis = s.get("redis.address", "redis://localhost:6379");
        try {
            RedisAddress.parse(redis);
        } catch (IllegalArgumentException e) {
            problems.add(s.name("redis.address") + " " + e.getMessage() + " (" + RedisAddress.FORMS + "), was '"
                    + RedisAddress.redact(redis) + "'");
        }
        String secret = s.get("jwt.secret", null);
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < AccessTokens.MIN_SECRET_BYTES) {
            problems.add(s.name("jwt.secret") + " must be set to the same secret as chat-api's, at least "
                    + AccessTokens.MIN_SECRET_BYTES + " bytes");
        }
        Duration timeout = s.duration("store.timeout", Duration.ofSeconds(5), problems);
        if (timeout != null && (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(Duration.ofMinutes(1)) > 0)) {
            problems.add(s.name("store.timeout") + " must be between 100ms and 1 minute, was " + timeout);
        }
        int batch = s.integer("store.batch-size", 256, 1, 10_000, problems);
        int writers = s.integer("store.writers", 2, 1, 64, problems);
        int maxPayload = s.integer("payload.max-bytes", 65_536, 64, 16 * 1024 * 1024, problems);
        Duration grace = s.duration("presence.grace", Duration.ofSeconds(5), problems);
        Duration heartbeat = s.duration("presence.heartbeat", Duration.ofSeconds(10), problems);
        if (grace != null && (grace.isNegative() || grace.compareTo(Duration.ofMinutes(5)) > 0)) {
            problems.add(s.name("presence.grace") + " must be between 0s and 5m, was " + grace);
        }
        if (heartbeat != null && (heartbeat.compareTo(Duration.ofSeconds(1)) < 0
                || heartbeat.compareTo(Duration.ofMinutes(5)) > 0)) {
            problems.add(s.name("presence.heartbeat") + " must be between 1s and 5m, was " + heartbeat);
        }
        Set<String> devices = new LinkedHashSet<>();
        for (String d : s.get("device-types", String.join(",", DeviceTypes.DEFAULTS)).split(",")) {
            String t = d.strip();
            if (!Ids.isValidDeviceType(t)) {
                problems.add(s.name("device-types") + " has an invalid device type '" + t
                        + "' (lower-case letters, digits, '_' or '-', starting with a letter)");
            } else if (t.equals(DeviceTypes.SERVICE)) {
                problems.add(s.name("device-types") + " may not list '" + DeviceTypes.SERVICE
                        + "': it is reserved for service accounts' tokens");
            }
            devices.add(t);
        }
        Duration recall = s.duration("recall.window", Duration.ofMinutes(2), problems);
        if (recall != null && (recall.compareTo(Duration.ofSeconds(1)) < 0 || recall.compareTo(Duration.ofDays(30)) > 0)) {
            problems.add(s.name("recall.window") + " must be between 1s and 30d, was " + recall);
        }
        HistoryPolicy historyPolicy = HistoryPolicy.allForEveryone();
        try {
            historyPolicy = HistoryPolicy.parse(s.get("history-policy", null));
        } catch (IllegalArgumentException e) {
            problems.add(s.name("history-policy") + ": " + e.getMessage());
        }
        Duration groupCacheTtl = s.duration("groups.cache-ttl", Duration.ofMinutes(1), problems);
        if (groupCacheTtl != null && (groupCacheTtl.compareTo(Duration.ofSeconds(1)) < 0
                || groupCacheTtl.compareTo(Duration.ofHours(1)) > 0)) {
            problems.add(s.name("groups.cache-ttl") + " must be between 1s and 1h, was " + groupCacheTtl);
        }
        String forward = s.get("bus.forward", "auto");
        if (!forward.equals("auto") && !forward.equals("off")) {
            problems.add(s.name("bus.forward") + " must be 'auto' or 'off', was '" + forward + "'");
        }
        RateLimit publishLimit = s.rate("ratelimit.publish", "20/s,burst=100", problems);
        RateLimit connectLimit = s.rate("ratelimit.connect", "20/s,burst=200", problems);
        int qos0Pending = s.integer("limits.qos0-pending", 100, 1, 100_000, problems);
        int inflight = s.integer("limits.inflight", Limits.DEFAULT_INFLIGHT, 1, 65_535, problems);
        int inflightMb = s.integer("limits.inflight-mb", (int) (Limits.DEFAULT_INFLIGHT_BYTES >> 20), 1, 65_536,
                problems);
        Duration retryWindow = s.duration("retry.window", Duration.ofMinutes(5), problems);
        if (retryWindow != null && (retryWindow.compareTo(Duration.ofSeconds(10)) < 0
                || retryWindow.compareTo(Duration.ofDays(1)) > 0)) {
            problems.add(s.name("retry.window") + " must be between 10s and 1d, was " + retryWindow);
        }
        int webhookQueue = s.integer("webhooks.queue", Webhooks.DEFAULT_QUEUE, 100, 1_000_000, problems);
        Duration webhookRefresh = s.duration("webhooks.refresh", Webhooks.DEFAULT_REFRESH, problems);
        if (webhookRefresh != null && (webhookRefresh.compareTo(Duration.ofMillis(100)) < 0
                || webhookRefresh.compareTo(Duration.ofMinutes(10)) > 0)) {
            problems.add(s.name("webhooks.refresh") + " must be between 100ms and 10m, was " + webhookRefresh);
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException("invalid mqchat extension configuration: " + String.join("; ", problems));
        }
        return new BrokerConfig(mongoUri, redis, secret, timeout, batch, writers, maxPayload, Set.copyOf(devices), grace,
                heartbeat, recall, historyPolicy, groupCacheTtl, forward.equals("auto"),
                new Limits(publishLimit, connectLimit, qos0Pending, inflight, (long) inflightMb << 20), retryWindow,
                new Webhooks(webhookQueue, webhookRefresh));
    }

    /** The Redis address parsed, credentials apart from the address. */
    public RedisAddress redis() {
        return RedisAddress.parse(redisAddress);
    }

    /** Never print the secret. */
    @Override
    public String toString() {
        return "BrokerConfig[mongoUri=" + redactUri(mongoUri) + ", redisAddress=" + RedisAddress.redact(redisAddress)
                + ", storeTimeout=" + storeTimeout + ", storeBatchSize=" + storeBatchSize + ", storeWriters="
                + storeWriters + ", maxPayloadBytes=" + maxPayloadBytes + ", deviceTypes=" + deviceTypes
                + ", presenceGrace=" + presenceGrace + ", presenceHeartbeat=" + presenceHeartbeat
                + ", recallWindow=" + recallWindow + ", historyPolicy=" + historyPolicy + ", groupCacheTtl="
                + groupCacheTtl + ", forwardToPeers=" + forwardToPeers + ", limits=" + limits + ", retryWindow="
                + retryWindow + ", webhooks=" + webhooks + "]";
    }

    private static String redactUri(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    private record Source(Properties file, Map<String, String> env) {
        String name(String key) {
            return envName(key) + " (" + key + ")";
        }

        /** Spring Boot's convention, so that one variable configures every component: dots become '_', dashes go. */
        static String envName(String key) {
            return "MQCHAT_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", "");
        }

        String get(String key, String fallback) {
            String v = env.get(envName(key));
            if (v == null || v.isBlank()) {
                v = file.getProperty(key);
            }
            return v == null || v.isBlank() ? fallback : v.strip();
        }

        int integer(String key, int fallback, int min, int max, List<String> problems) {
            String v = get(key, null);
            if (v == null) {
                return fallback;
            }
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) {
                    problems.add(name(key) + " must be between " + min + " and " + max + ", was " + i);
                }
                return i;
            } catch (NumberFormatException e) {
                problems.add(name(key) + " must be a whole number, was '" + v + "'");
                return fallback;
            }
        }

        RateLimit rate(String key, String fallback, List<String> problems) {
            try {
                return RateLimit.parse(get(key, fallback));
            } catch (IllegalArgumentException e) {
                problems.add(name(key) + ": " + e.getMessage());
                return RateLimit.OFF;
            }
        }

        Duration duration(String key, Duration fallback, List<String> problems) {
            String v = get(key, null);
            if (v == null) {
                return fallback;
            }
            try {
                return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : parseShort(v);
            } catch (DateTimeParseException | IllegalArgumentException e) {
                problems.add(name(key) + " must be a duration like 5s, 500ms or PT5S, was '" + v + "'");
                return null;
            }
        }

        private static Duration parseShort(String v) {
            String t = v.toLowerCase(Locale.ROOT);
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("d")) {
                return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            throw new IllegalArgumentException(v);
        }
    }

    /** For tests and the embedded stack: a valid configuration with the given connections. */
    public static BrokerConfig of(String mongoUri, String redisAddress, String jwtSecret) {
        Properties p = new Properties();
        p.setProperty("mongo.uri", mongoUri);
        p.setProperty("redis.address", redisAddress);
        p.setProperty("jwt.secret", jwtSecret);
        return load(p, Map.of());
    }

    /** A copy with other store settings. */
    public BrokerConfig withStore(Duration timeout, int batchSize, int writers) {
        return new BrokerConfig(mongoUri, redisAddress, jwtSecret, timeout, batchSize, writers, maxPayloadBytes,
                deviceTypes, presenceGrace, presenceHeartbeat, recallWindow, historyPolicy, groupCacheTtl, forwardToPeers,
                limits, retryWindow, webhooks);
    }

    /** A copy with other presence timings. */
    public BrokerConfig withPresence(Duration grace, Duration heartbeat) {
        return new BrokerConfig(mongoUri, redisAddress, jwtSecret, storeTimeout, storeBatchSize, storeWriters,
                maxPayloadBytes, deviceTypes, grace, heartbeat, recallWindow, historyPolicy, groupCacheTtl,
                forwardToPeers, limits, retryWindow, webhooks);
    }

    /** A copy with another recall window and history policy. */
    public BrokerConfig withHistory(Duration recall, HistoryPolicy policy) {
        return new BrokerConfig(mongoUri, redisAddress, jwtSecret, storeTimeout, storeBatchSize, storeWriters,
                maxPayloadBytes, deviceTypes, presenceGrace, presenceHeartbeat, recall, policy, groupCacheTtl,
                forwardToPeers, limits, retryWindow, webhooks);
    }

    /** A copy with other abuse limits. */
    public BrokerConfig withLimits(Limits newLimits) {
        return new BrokerConfig(mongoUri, redisAddress, jwtSecret, storeTimeout, storeBatchSize, storeWriters,
                maxPayloadBytes, deviceTypes, presenceGrace, presenceHeartbeat, recallWindow, historyPolicy,
                groupCacheTtl, forwardToPeers, newLimits, retryWindow, webhooks);
    }
}
