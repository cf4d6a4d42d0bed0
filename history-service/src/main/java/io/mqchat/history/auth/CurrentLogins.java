package io.mqchat.history.auth;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.history.config.RedisConnection;
import org.springframework.stereotype.Component;

/**
 * Whether a verified token is still its device's current login (chat-api records logins in Redis; a newer
 * login of the device, or a logout, revokes the token). Throws a Redis exception when Redis is unreachable.
 */
@Component
public class CurrentLogins {

    private final RedisConnection redis;

    public CurrentLogins(RedisConnection redis) {
        this.redis = redis;
    }

    public boolean isCurrent(AccessTokens.AccessToken token) {
        return redis.deviceLogins().isCurrentNow(token);
    }
}
