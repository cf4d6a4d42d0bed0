package io.mqchat.history;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.DevicePolicy;
import io.mqchat.common.redis.DeviceLogins;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;

/** An embedded Redis on a free port, and logins recorded the way chat-api records them. */
public final class TestRedis implements AutoCloseable {

    public final int port;
    public final RedisServer server;
    public final RedissonClient redisson;
    public final DeviceLogins logins;
    private final AccessTokens tokens = new AccessTokens(TestSupport.SECRET);

    public TestRedis() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                    .setting("appendonly no").onShutdownForceStop(true).build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Config config = new Config();
        config.useSingleServer().setAddress(address());
        redisson = Redisson.create(config);
        logins = new DeviceLogins(redisson, Clock.systemUTC());
    }

    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    /** What a login does: a token that is now the device's current login (replacing the previous one). */
    public String login(String user, String device) {
        return logins.issue(tokens, user, device, Duration.ofHours(1), DevicePolicy.perType()).token();
    }

    @Override
    public void close() throws IOException {
        redisson.shutdown();
        server.stop();
    }
}
