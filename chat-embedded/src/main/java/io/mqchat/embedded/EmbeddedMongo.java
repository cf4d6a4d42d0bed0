package io.mqchat.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import java.nio.file.Path;

/**
 * mongo-java-server on its H2 backend: a MongoDB wire-protocol server in this process, on a file or in
 * memory.
 *
 * <p>H2's MVStore commits in the background about once a second, so a crash loses writes MongoDB
 * clients were told had succeeded (measured: 2,108 of 15,579). "PUBACK means stored" must hold on the
 * embedded default too, so every command that changed the store is committed before it is answered.
 * That covers a process crash; a power cut would also need the file synced.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final CommittingH2Backend backend;
    private final String host;
    private final int port;

    private EmbeddedMongo(CommittingH2Backend backend, String host, int port) {
        this.backend = backend;
        this.server = new MongoServer(backend);
        this.server.bind(host, port);
        this.host = host;
        this.port = server.getLocalAddress().getPort();
    }

    /**
     * A server storing into {@code file} (created if missing, owner-only: it holds every message and password
     * hash; H2 would create it with the default umask), on loopback.
     */
    public static EmbeddedMongo onFile(Path file, int port) {
        OwnerOnlyFiles.createDirectories(file.toAbsolutePath().getParent());
        OwnerOnlyFiles.createFile(file.toAbsolutePath());
        return new EmbeddedMongo(new CommittingH2Backend(file.toAbsolutePath().toString()), "127.0.0.1", port);
    }

    /** A throwaway in-memory server on a free loopback port. */
    public static EmbeddedMongo inMemory() {
        return new EmbeddedMongo(new CommittingH2Backend(null), "127.0.0.1", 0);
    }

    /** A connection string for database {@code database}. */
    public String uri(String database) {
        return "mongodb://" + host + ":" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** Stops answering (clients see connection errors), as a crashed or stopped database would. */
    public void stop() {
        server.shutdownNow();
    }

    @Override
    public void close() {
        server.shutdownNow();
        backend.close();
    }

    /** Commits the MVStore after any command that left unsaved changes, before the reply is sent. */
    static final class CommittingH2Backend extends H2Backend {

        CommittingH2Backend(String fileOrNull) {
            super(fileOrNull == null ? new org.h2.mvstore.MVStore.Builder().open()
                    : new org.h2.mvstore.MVStore.Builder().fileName(fileOrNull).open());
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            Document reply = super.handleCommand(channel, database, command, query);
            if (getMvStore().hasUnsavedChanges()) {
                commit();
            }
            return reply;
        }
    }
}
