package io.mqchat.standalone;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.redis.RedisAddress;
import io.mqchat.embedded.OwnerOnlyFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the one-process stack, from environment variables with sane defaults. Invalid values stop
 * start-up with one message listing what to fix.
 *
 * @param dataDir       where everything is kept ({@code MQCHAT_DATA_DIR}, default {@code ./data})
 * @param bindAddress   address the public listeners bind to ({@code MQCHAT_BIND_ADDRESS}, default 0.0.0.0)
 * @param mqttPort      MQTT over TCP ({@code MQCHAT_MQTT_PORT}, 1883)
 * @param websocketPort MQTT over WebSocket, path /mqtt ({@code MQCHAT_WS_PORT}, 8000)
 * @param apiPort       chat-api ({@code MQCHAT_API_PORT}, 8080)
 * @param historyPort   history-service ({@code MQCHAT_HISTORY_PORT}, 8081)
 * @param mongoUri      an external MongoDB ({@code MQCHAT_MONGO_URI}); null: embedded, on a file under dataDir
 * @param redisAddress  an external Redis ({@code MQCHAT_REDIS_ADDRESS}, e.g. {@code redis://:password@host:6379},
 *                      {@code rediss://} for TLS); null: embedded, with a generated password
 * @param jwtSecret     {@code MQCHAT_JWT_SECRET}; null: generated once and kept in {@code dataDir/jwt-secret}
 * @param logFormat     {@code MQCHAT_LOG_FORMAT}: {@code text} (default) or a structured format, {@code ecs},
 *                      {@code logstash} or {@code gelf} (one JSON object per line)
 * @param embeddedFsync {@code MQCHAT_EMBEDDED_FSYNC}, {@code true} or {@code false} (default): whether the
 *                      embedded database syncs its file to the disk after each commit. Off, an acknowledged
 *                      write survives a crash of the process, not a power cut; on, it survives both, at the
 *                      cost of a disk flush per commit. Ignored with {@code MQCHAT_MONGO_URI}
 */
public record StandaloneSettings(Path dataDir, String bindAddress, int mqttPort, int websocketPort, int apiPort,
                                 int historyPort, String mongoUri, String redisAddress, String jwtSecret,
                                 String logFormat, boolean embeddedFsync) {

    private static final List<String> LOG_FORMATS = List.of("text", "ecs", "logstash", "gelf");

    /** Refused settings; the message lists every problem. */
    public static class InvalidSettingsException extends RuntimeException {
        public InvalidSettingsException(String message) {
            super(message);
        }
    }

    public static StandaloneSettings fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Path data = Path.of(env.getOrDefault("MQCHAT_DATA_DIR", "data"));
        String bind = env.getOrDefault("MQCHAT_BIND_ADDRESS", "0.0.0.0");
        int mqtt = port(env, "MQCHAT_MQTT_PORT", 1883, problems);
        int ws = port(env, "MQCHAT_WS_PORT", 8000, problems);
        int api = port(env, "MQCHAT_API_PORT", 8080, problems);
        int history = port(env, "MQCHAT_HISTORY_PORT", 8081, problems);
        if (problems.isEmpty() && List.of(mqtt, ws, api, history).stream().distinct().count() < 4) {
            problems.add("MQCHAT_MQTT_PORT, MQCHAT_WS_PORT, MQCHAT_API_PORT and MQCHAT_HISTORY_PORT must differ");
        }
        String mongo = blankToNull(env.get("MQCHAT_MONGO_URI"));
        if (mongo != null && !mongo.startsWith("mongodb://") && !mongo.startsWith("mongodb+srv://")) {
            problems.add("MQCHAT_MONGO_URI must be a mongodb:// URI (or unset for the embedded database)");
        }
        String redis = blankToNull(env.get("MQCHAT_REDIS_ADDRESS"));
        if (redis != null) {
            try {
                RedisAddress.parse(redis);
            } catch (IllegalArgumentException e) {
                problems.add("MQCHAT_REDIS_ADDRESS " + e.getMessage() + ": it must look like " + RedisAddress.FORMS
                        + " (or be unset for the embedded Redis), was '" + RedisAddress.redact(redis) + "'");
            }
        }
        String secret = blankToNull(env.get("MQCHAT_JWT_SECRET"));
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < AccessTokens.MIN_SECRET_BYTES) {
            problems.add("MQCHAT_JWT_SECRET must be at least " + AccessTokens.MIN_SECRET_BYTES
                    + " bytes (or unset to generate one under the data folder)");
        }
        String logFormat = env.getOrDefault("MQCHAT_LOG_FORMAT", "text").strip();
        if (!LOG_FORMATS.contains(logFormat)) {
            problems.add("MQCHAT_LOG_FORMAT must be one of " + LOG_FORMATS + ", was '" + logFormat + "'");
        }
        boolean fsync = bool(env, "MQCHAT_EMBEDDED_FSYNC", false, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException("cannot start mqchat: " + String.join("; ", problems));
        }
        return new StandaloneSettings(data, bind, mqtt, ws, api, history, mongo, redis, secret, logFormat, fsync);
    }

    /**
     * The configured secret, or the one kept in {@code dataDir/jwt-secret}: generated once, the file created
     * owner-only and complete at once (never readable by others, not even while it is written).
     */
    public String jwtSecretOrGenerated() {
        if (jwtSecret != null) {
            return jwtSecret;
        }
        return OwnerOnlyFiles.readOrCreateSecret(dataDir.resolve("jwt-secret"), 48);
    }

    /** Never print the secret or the credentials in the connection strings. */
    @Override
    public String toString() {
        return "StandaloneSettings[dataDir=" + dataDir + ", bindAddress=" + bindAddress + ", mqttPort=" + mqttPort
                + ", websocketPort=" + websocketPort + ", apiPort=" + apiPort + ", historyPort=" + historyPort
                + ", mongoUri=" + (mongoUri == null ? "embedded" : RedisAddress.redact(mongoUri))
                + ", redisAddress=" + (redisAddress == null ? "embedded" : RedisAddress.redact(redisAddress))
                + ", jwtSecret=" + (jwtSecret == null ? "generated" : "<hidden>") + ", logFormat=" + logFormat
                + ", embeddedFsync=" + embeddedFsync + "]";
    }

    private static int port(Map<String, String> env, String name, int fallback, List<String> problems) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            int p = Integer.parseInt(v);
            if (p < 1 || p > 65535) {
                problems.add(name + " must be a port between 1 and 65535, was " + v);
            }
            return p;
        } catch (NumberFormatException e) {
            problems.add(name + " must be a port number, was '" + v + "'");
            return fallback;
        }
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback, List<String> problems) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        if (!v.equals("true") && !v.equals("false")) {
            problems.add(name + " must be true or false, was '" + v + "'");
            return fallback;
        }
        return Boolean.parseBoolean(v);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
