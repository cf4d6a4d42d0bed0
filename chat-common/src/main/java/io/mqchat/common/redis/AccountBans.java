package io.mqchat.common.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.protocol.Json;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Banned accounts, in Redis ({@link RedisKeys#ban}): written by chat-api when an admin bans or unbans a user
 * (the user document is the record, this is the copy the broker reads), read by the broker at every CONNECT.
 * A temporary ban's key expires when the ban ends, so nothing has to lift it.
 */
public final class AccountBans {

    /** A ban: why, and until when ({@code null}: permanent). */
    public record Ban(String reason, Instant until) {

        /** The refusal a banned user gets (CONNACK reason string, login problem detail). */
        public String describe() {
            return "this account is banned " + (until == null ? "permanently" : "until " + until)
                    + (reason == null || reason.isEmpty() ? "" : ": " + reason);
        }

        String toJson() {
            try {
                var node = Json.MAPPER.createObjectNode().put("reason", reason);
                if (until != null) {
                    node.put("until", until.toEpochMilli());
                }
                return Json.MAPPER.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        static Optional<Ban> fromJson(String json) {
            if (json == null) {
                return Optional.empty();
            }
            try {
                JsonNode n = Json.MAPPER.readTree(json);
                return Optional.of(new Ban(n.path("reason").asText(null),
                        n.hasNonNull("until") ? Instant.ofEpochMilli(n.get("until").asLong()) : null));
            } catch (JsonProcessingException e) {
                // unreadable: treat as banned, permanently (an unban rewrites the key)
                return Optional.of(new Ban(null, null));
            }
        }
    }

    private final RedissonClient redis;
    private final Clock clock;

    public AccountBans(RedissonClient redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    private RBucket<String> bucket(String userId) {
        return redis.getBucket(RedisKeys.ban(userId), StringCodec.INSTANCE);
    }

    /** Records a ban; a ban that has already ended is not written. */
    public void ban(String userId, Ban ban) {
        if (ban.until() == null) {
            bucket(userId).set(ban.toJson());
            return;
        }
        Duration left = Duration.between(clock.instant(), ban.until());
        if (!left.isNegative() && !left.isZero()) {
            bucket(userId).set(ban.toJson(), left);
        }
    }

    public void lift(String userId) {
        bucket(userId).delete();
    }

    /** The user's ban while it lasts (async: the broker must not block). */
    public CompletionStage<Optional<Ban>> find(String userId) {
        return bucket(userId).getAsync().thenApply(json -> Ban.fromJson(json)
                .filter(b -> b.until() == null || b.until().isAfter(clock.instant())));
    }
}
