package io.mqchat.web;

import io.mqchat.common.auth.AccessTokens;

/**
 * Whether a verified token is still its device's current login: a newer login of the same device, or a
 * logout, revokes the older token before it expires. The services reach the login records differently
 * (chat-api owns them and holds a Redis client from start-up; history-service connects to Redis lazily, so
 * it starts while Redis is down), so each passes its own check to {@link BearerTokenWebConfig}.
 */
@FunctionalInterface
public interface CurrentLoginCheck {

    /**
     * @return true while {@code token} is its device's current login
     * @throws org.redisson.client.RedisException when the login records cannot be read (answered 503)
     */
    boolean isCurrent(AccessTokens.AccessToken token);
}
