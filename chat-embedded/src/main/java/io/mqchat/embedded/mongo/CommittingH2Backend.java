package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * mongo-java-server's H2 backend that answers a command that may have changed the store only after a group
 * commit that started after it finished, keeps documents and unique-index keys in typed maps
 * ({@link DocumentType}, {@link IndexKeyType}) instead of H2's Java serialization, and answers queries on an
 * index's first fields from the index ({@link TypedCollection}, {@link IndexScan}).
 */
final class CommittingH2Backend extends H2Backend {

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

    /** H2's background commit interval, restored once the existing databases are open. */
    private static final int AUTO_COMMIT_DELAY_MS = 1000;

    final GroupCommit groupCommit;
    final LongAdder fileSyncs = new LongAdder();

    /**
     * Opens the file with H2's background commit off: opening the existing databases may rebuild indexes
     * (files written before typed index maps), and a half-built index must never reach the file, where the
     * next start would take it as complete. It is committed as a whole, then the background commit resumes.
     */
    static CommittingH2Backend onFile(String file, boolean fsync, EmbeddedMongo.CommitHook hook) {
        CommittingH2Backend backend = new CommittingH2Backend(
                new MVStore.Builder().fileName(file).autoCommitDisabled().open(), fsync, hook);
        MVStore store = backend.getMvStore();
        store.commit();
        store.setAutoCommitDelay(AUTO_COMMIT_DELAY_MS);
        return backend;
    }

    static CommittingH2Backend inMemoryStore() {
        return new CommittingH2Backend(new MVStore.Builder().open(), false, Runnable::run);
    }

    private CommittingH2Backend(MVStore store, boolean fsync, EmbeddedMongo.CommitHook hook) {
        super(store);
        Runnable storeCommit = () -> commitStore(store, fsync);
        this.groupCommit = new GroupCommit(() -> hook.commit(storeCommit), EmbeddedMongo.MAX_COMMIT_WAIT);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        // called from H2Backend's constructor too: uses nothing of this class's own state
        return new TypedDatabase(databaseName);
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

    /**
     * H2's database with typed maps. H2Database opens its maps by name with H2's default types; MVStore
     * returns a map that is already open whatever the builder, so opening it typed first decides its types.
     * An inner class: H2Database's constructor opens the existing collections and indexes, before a field
     * of a subclass could be set, and the store is reachable through the backend.
     */
    private final class TypedDatabase extends H2Database {

        /** The names H2Database gives a collection's maps of documents and of metadata (its data size). */
        private static final String DATA_MAP_PREFIX = "databases.";
        private static final String META_MAP_PREFIX = "meta.";

        /** The description {@link #addIndex} is adding (under the database's lock, as H2Database adds them). */
        private Document adding;

        TypedDatabase(String databaseName) {
            super(databaseName, getMvStore(), getCursorRegistry());
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String namespace = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> data = getMvStore().openMap(DATA_MAP_PREFIX + namespace,
                    new MVMap.Builder<Object, Document>().valueType(new DocumentType()));
            MVMap<String, Object> meta = getMvStore().openMap(META_MAP_PREFIX + namespace);
            return new TypedCollection(this, collectionName, options, data, meta, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName,
                                                        List<IndexKey> keys, boolean sparse) {
            MVStore store = getMvStore();
            // an index map of H2's default type (a file from before): dropped; the typed map under its new name
            // is empty, so the collection fills it from its documents when it adds the index
            String untyped = untypedIndexMap(collectionName, indexName);
            if (store.hasMap(untyped)) {
                store.removeMap(untyped);
            }
            return new TypedUniqueIndex(openIndexMap(indexMap(collectionName, indexName)), indexName, keys, sparse);
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                           List<IndexKey> keys, boolean sparse) {
            MVStore store = getMvStore();
            String name = indexMap(collectionName, indexName);
            boolean created = !store.hasMap(name);
            MVMap<KeyValue, Object> map = openIndexMap(name);
            Document description = description(collectionName, indexName);
            Object partial = description == null ? null : description.get("partialFilterExpression");
            return new TypedSecondaryIndex(map, indexName, keys, partial instanceof Document d ? d : null, created);
        }

        /**
         * The description of an index being opened: the one {@link #addIndex} is adding, or (opening the
         * database) the one stored in the indexes collection.
         */
        private Document description(String collectionName, String indexName) {
            if (adding != null) {
                return adding;
            }
            String namespace = getFullCollectionNamespace(collectionName);
            for (Document index : getOrCreateIndexesCollection().queryAll()) {
                if (indexName.equals(index.get("name")) && namespace.equals(index.get("ns"))) {
                    return index;
                }
            }
            return null;
        }

        @Override
        protected synchronized void addIndex(Document indexDescription) {
            adding = indexDescription;
            try {
                super.addIndex(indexDescription);
            } finally {
                adding = null;
            }
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String indexName) {
            super.dropIndex(collection, indexName);
            getMvStore().removeMap(indexMap(collection.getCollectionName(), indexName));
        }

        private MVMap<KeyValue, Object> openIndexMap(String name) {
            return getMvStore().openMap(name, new MVMap.Builder<KeyValue, Object>().keyType(IndexKeyType.INSTANCE));
        }

        /** Starts with the database's name and a dot, so dropping the database removes it too. */
        private String indexMap(String collectionName, String indexName) {
            return getFullCollectionNamespace(collectionName) + "._keys_" + indexName;
        }

        private String untypedIndexMap(String collectionName, String indexName) {
            return getFullCollectionNamespace(collectionName) + "._index_" + indexName;
        }
    }
}
