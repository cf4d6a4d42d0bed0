package io.mqchat.embedded;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real Redis server binary (bundled by embedded-redis) run as a child process on loopback. */
public final class EmbeddedRedis implements AutoCloseable {

    private final RedisServer server;
    private final int port;

    private EmbeddedRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * @param dataDir where Redis keeps its append-only file, or null for no persistence. Losing Redis is
     *                safe (sequence counters are re-seeded from MongoDB) but keeping it avoids the re-seed.
     */
    public static EmbeddedRedis start(int port, Path dataDir) {
        int p = port > 0 ? port : FreePorts.next();
        try {
            var builder = RedisServer.newRedisServer().port(p).bind("127.0.0.1")
                    .setting("protected-mode yes")
                    .onShutdownForceStop(true);
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setting("dir " + dataDir.toAbsolutePath())
                        .setting("appendonly yes")
                        .setting("appendfsync everysec");
            } else {
                builder.setting("save \"\"").setting("appendonly no");
            }
            RedisServer server = builder.build();
            server.start();
            return new EmbeddedRedis(server, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis on port " + p, e);
        }
    }

    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
