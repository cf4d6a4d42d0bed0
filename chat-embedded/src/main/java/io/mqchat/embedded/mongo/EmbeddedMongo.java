package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.MongoServer;
import io.mqchat.embedded.OwnerOnlyFiles;


import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * mongo-java-server on its H2 backend: a MongoDB wire-protocol server in this process, on a file or in
 * memory.
 *
 * <p>H2's MVStore commits in the background about once a second, so a crash loses writes MongoDB
 * clients were told had succeeded (measured: 2,108 of 15,579). "PUBACK means stored" must hold on the
 * embedded default too, so no command that may have changed the store is answered before a commit that
 * started after its change has finished. Concurrent commands share that commit ({@link GroupCommit}): one
 * commit per group, not per command.
 *
 * <p>What a commit promises depends on {@code fsync}: off (the default), a committed write is in the
 * operating system's page cache and survives a crash of this process, not a power cut or a kernel crash;
 * on, the file is also synced to the disk after every group commit, which survives those too and costs
 * one disk flush per group.
 *
 * <p>Documents are stored as BSON and unique-index keys in a compact type compared value by value
 * ({@link CommittingH2Backend}); files written with H2's default types open, their indexes are rebuilt once.
 */
public final class EmbeddedMongo implements AutoCloseable {

    /**
     * Event loops answering the clients. Each connection is served by one of them, which runs its commands
     * and, for a write, waits for the group commit (as it used to wait for its own commit): that blocks the
     * loop's other connections for about two commit times, acceptable for the store of a one-process stack
     * whose clients are its own services. A group can only hold as many commands as there are loops, so
     * there are more than Netty's default of two per core.
     */
    static final int EVENT_LOOPS = Math.max(16, 2 * Runtime.getRuntime().availableProcessors());

    /** How long a follower waits for the leader's commit before its command fails. */
    static final Duration MAX_COMMIT_WAIT = Duration.ofSeconds(10);

    private final MongoServer server;
    private final CommittingH2Backend backend;
    private final String host;
    private final int port;

    private EmbeddedMongo(CommittingH2Backend backend, String host, int port) {
        this.backend = backend;
        this.server = new MongoServer(backend);
        this.server.bind(new InetSocketAddress(host, port), 1, EVENT_LOOPS);
        this.host = host;
        this.port = server.getLocalAddress().getPort();
    }

    /**
     * A server storing into {@code file} (created if missing, owner-only: it holds every message and password
     * hash; H2 would create it with the default umask), on loopback; commits are not synced to the disk.
     */
    public static EmbeddedMongo onFile(Path file, int port) {
        return onFile(file, port, false);
    }

    /**
     * As {@link #onFile(Path, int)}; with {@code fsync} every group commit is also synced to the disk, so
     * acknowledged writes survive a power cut, not only a crash of the process.
     */
    public static EmbeddedMongo onFile(Path file, int port, boolean fsync) {
        return onFile(file, port, fsync, Runnable::run);
    }

    /** With a hook around each store commit, for tests that make commits fail or stall. */
    static EmbeddedMongo onFile(Path file, int port, boolean fsync, CommitHook hook) {
        OwnerOnlyFiles.createDirectories(file.toAbsolutePath().getParent());
        OwnerOnlyFiles.createFile(file.toAbsolutePath());
        return new EmbeddedMongo(CommittingH2Backend.onFile(file.toAbsolutePath().toString(), fsync, hook),
                "127.0.0.1", port);
    }

    /** A throwaway in-memory server on a free loopback port. */
    public static EmbeddedMongo inMemory() {
        return new EmbeddedMongo(CommittingH2Backend.inMemoryStore(), "127.0.0.1", 0);
    }

    /** A connection string for database {@code database}. */
    public String uri(String database) {
        return "mongodb://" + host + ":" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** Group commits that succeeded (each covering one or more commands). */
    public long commits() {
        return backend.groupCommit.commits();
    }

    /** Commits that failed; every command waiting for one of them got an error reply. */
    public long failedCommits() {
        return backend.groupCommit.failedCommits();
    }

    /** Commands answered after a successful commit covering their change. */
    public long commandsCommitted() {
        return backend.groupCommit.commandsCommitted();
    }

    /** Times the file was synced to the disk. */
    long fileSyncs() {
        return backend.fileSyncs.sum();
    }

    /** Commands waiting for a commit right now, the one committing included. */
    int waitingCommands() {
        return backend.groupCommit.waitingCommands();
    }

    /** The collection as the store holds it, for tests that look at how queries were answered. */
    TypedCollection collection(String database, String collection) {
        return (TypedCollection) backend.resolveDatabase(database).resolveCollection(collection, true);
    }

    /** Stops answering (clients see connection errors), as a crashed or stopped database would. */
    public void stop() {
        // first: the event loops only terminate once no command of theirs waits for a commit any more
        backend.groupCommit.close();
        server.shutdownNow();
    }

    @Override
    public void close() {
        stop();
        backend.close();
    }

    /** Wraps the store's commit; tests use it to make a commit fail or stall. */
    @FunctionalInterface
    interface CommitHook {
        void commit(Runnable storeCommit);
    }
}
