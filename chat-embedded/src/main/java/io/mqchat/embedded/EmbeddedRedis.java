package io.mqchat.embedded;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A real Redis server binary (bundled by embedded-redis) run as a child process on loopback, with a password:
 * loopback alone would let any local process read the data and publish forged messages on the node bus.
 */
public final class EmbeddedRedis implements AutoCloseable {

    /** Where the password is kept in the data folder. */
    public static final String PASSWORD_FILE = "password";

    private final RedisServer server;
    private final int port;
    private final String password;

    private EmbeddedRedis(RedisServer server, int port, String password) {
        this.server = server;
        this.port = port;
        this.password = password;
    }

    /**
     * @param dataDir where Redis keeps its append-only file and its password ({@value #PASSWORD_FILE}, generated
     *                once, reused on restart), made owner-only before Redis starts so that the files Redis
     *                creates (with its default umask) are unreachable for other users. Null: no persistence
     *                and a fresh password for this server. Losing Redis is safe (sequence counters are
     *                re-seeded from MongoDB) but keeping it avoids the re-seed.
     */
    public static EmbeddedRedis start(int port, Path dataDir) {
        int p = port > 0 ? port : FreePorts.next();
        try {
            String password;
            // embedded-redis passes these settings in a temporary config file (created owner-only by
            // Files.createTempFile), not on the command line, so the password does not show in `ps`
            var builder = RedisServer.newRedisServer().port(p).bind("127.0.0.1")
                    .setting("protected-mode yes")
                    .onShutdownForceStop(true);
            if (dataDir != null) {
                OwnerOnlyFiles.ownerOnlyFolder(dataDir);
                password = OwnerOnlyFiles.readOrCreateSecret(dataDir.resolve(PASSWORD_FILE), 32);
                if (!password.matches("[A-Za-z0-9_-]+")) {
                    // it goes into redis.conf and into redis:// addresses unquoted
                    throw new IllegalStateException(dataDir.resolve(PASSWORD_FILE).toAbsolutePath()
                            + " must hold letters, digits, '-' and '_' only: delete it to have a new password generated");
                }
                builder.setting("dir " + dataDir.toAbsolutePath())
                        .setting("appendonly yes")
                        .setting("appendfsync everysec");
            } else {
                password = OwnerOnlyFiles.randomSecret(32);
                builder.setting("save \"\"").setting("appendonly no");
            }
            builder.setting("requirepass " + password);
            RedisServer server = builder.build();
            server.start();
            return new EmbeddedRedis(server, p, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis on port " + p, e);
        }
    }

    /**
     * {@code redis://:password@127.0.0.1:port}: the address with its password, as every mqchat component and
     * Redisson accept it. Do not log it; {@link #toString()} hides the password.
     */
    public String address() {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[redis://:***@127.0.0.1:" + port + "]";
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
