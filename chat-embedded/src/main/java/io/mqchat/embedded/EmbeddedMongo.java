package io.mqchat.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

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
        return new EmbeddedMongo(new CommittingH2Backend(file.toAbsolutePath().toString(), fsync, hook),
                "127.0.0.1", port);
    }

    /** A throwaway in-memory server on a free loopback port. */
    public static EmbeddedMongo inMemory() {
        return new EmbeddedMongo(new CommittingH2Backend(null, false, Runnable::run), "127.0.0.1", 0);
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

    /**
     * Answers a command that may have changed the store only after a group commit that started after it
     * finished.
     */
    static final class CommittingH2Backend extends H2Backend {

        /**
         * Commands (lower case) that never change documents, indexes or collections: they are answered
         * without waiting for a commit. A read may still touch the store's metadata (opening a database
         * opens its maps); that is no acknowledged write, the next commit takes it along. Everything else
         * waits, whether or not it changed anything: knowing by name is exact, the store's own "unsaved
         * changes" flag is not while another thread commits.
         */
        private static final Set<String> READ_ONLY = Set.of("find", "getmore", "count", "distinct",
                "listcollections", "listindexes", "listdatabases", "ismaster", "hello", "ping", "buildinfo",
                "whatsmyuri", "serverstatus", "dbstats", "collstats", "killcursors", "endsessions",
                "getlasterror", "getparameter", "getcmdlineopts", "hostinfo", "connectionstatus", "getlog");

        /** What {@link MVStore#commit()} returns when there was nothing to store. */
        private static final long NOTHING_STORED = -1;

        final GroupCommit groupCommit;
        final LongAdder fileSyncs = new LongAdder();

        CommittingH2Backend(String fileOrNull, boolean fsync, CommitHook hook) {
            super(fileOrNull == null ? new MVStore.Builder().open()
                    : new MVStore.Builder().fileName(fileOrNull).open());
            MVStore store = getMvStore();
            Runnable storeCommit = () -> commitStore(store, fsync);
            this.groupCommit = new GroupCommit(() -> hook.commit(storeCommit), MAX_COMMIT_WAIT);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            Document reply = super.handleCommand(channel, database, command, query);
            if (mayWrite(command, query)) {
                groupCommit.awaitCommit();
            }
            return reply;
        }

        static boolean mayWrite(String command, Document query) {
            String name = command.toLowerCase(Locale.ROOT);
            if (name.equals("aggregate")) {
                return query.get("pipeline") instanceof List<?> stages && stages.stream().anyMatch(stage ->
                        stage instanceof Document d && (d.containsKey("$out") || d.containsKey("$merge")));
            }
            return !READ_ONLY.contains(name);
        }

        private void commitStore(MVStore store, boolean fsync) {
            long version = store.commit();
            FileStore<?> file = store.getFileStore();
            if (file == null) {
                if (store.isClosed()) {
                    throw new IllegalStateException("the store is closed");
                }
                return;
            }
            if (version == NOTHING_STORED) {
                // H2's background writer may have taken every change already and still be writing it out
                // (its commits are asynchronous): wait for its writes. A commit that stored something waited
                // for its own writes, queued behind any earlier ones. Fails if the store is closed.
                store.executeFilestoreOperation(() -> { });
            }
            if (fsync) {
                file.sync();
                fileSyncs.increment();
            }
        }
    }
}
