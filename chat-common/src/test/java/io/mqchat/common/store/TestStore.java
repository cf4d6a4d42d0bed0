package io.mqchat.common.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.schema.StoreSchema;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The store on a MongoDB wire server in memory (mongo-java-server), with its indexes, fresh for each test:
 * register it as an instance {@code @RegisterExtension} field; it is ready in the test's {@code @BeforeEach}.
 */
public final class TestStore implements BeforeEachCallback, AfterEachCallback {

    private MongoServer server;
    private MongoClient client;
    private MongoDatabase db;

    public MongoDatabase db() {
        if (db == null) {
            throw new IllegalStateException("the test store is only there during a test");
        }
        return db;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server = new MongoServer(new MemoryBackend());
        var address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
        db = client.getDatabase("t");
        StoreSchema.ensureIndexes(db);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        db = null;
        client.close();
        server.shutdownNow();
    }
}
