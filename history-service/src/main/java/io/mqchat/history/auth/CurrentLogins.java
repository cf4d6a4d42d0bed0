package io.mqchat.history.auth;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.history.config.RedisConnection;
import io.mqchat.web.CurrentLoginCheck;
import org.springframework.stereotype.Component;

/**
 * Whether a verified token is still its device's current login (chat-api records logins in Redis; a newer
 * login of the device, or a logout, revokes the token). Throws a Redis exception when Redis is unreachable.
 * Reached through the lazily made {@link RedisConnection}, so the service starts while Redis is down.
 */
@Component
public class CurrentLogins implements CurrentLoginCheck {

    private final RedisConnection redis;

    public CurrentLogins(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public boolean isCurrent(AccessTokens.AccessToken token) {
        return redis.deviceLogins().isCurrentNow(token);
    }
}
