package io.mqchat.api;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.net.InetSocketAddress;
import java.util.Date;
import java.util.UUID;

/**
 * An in-process MongoDB (mongo-java-server, in memory) for the app under test: one database, the settings
 * that point the app at it (with {@link TestSupport}'s secret and Redis), and users inserted directly.
 * Bound on a free port when created; {@link #close()} stops it (a test of an outage may do so while the app
 * runs). As a static {@code @RegisterExtension} field it is closed after the test class.
 */
public final class TestMongo implements AutoCloseable, AfterAllCallback {

    private final MongoServer server = new MongoServer(new MemoryBackend());
    private final InetSocketAddress address = server.bind();
    private final String database;
    private MongoClient client;

    public TestMongo(String database) {
        this.database = database;
    }

    /** The address of the database, as the app's {@code mqchat.mongo.uri}. */
    public String uri() {
        return "mongodb://127.0.0.1:" + address.getPort() + "/" + database;
    }

    /** The app's settings for a test: this database, the test secret, the test Redis. */
    public void appProperties(DynamicPropertyRegistry registry) {
        registry.add("mqchat.mongo.uri", this::uri);
        registry.add("mqchat.jwt.secret", () -> TestSupport.SECRET);
        registry.add("mqchat.redis.address", TestSupport::redisAddress);
    }

    public synchronized MongoDatabase db() {
        if (client == null) {
            client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
        }
        return client.getDatabase(database);
    }

    /** A registered user (inserted directly: the password plays no part): the prefix and eight random characters. */
    public String user(String prefix) {
        String id = prefix + UUID.randomUUID().toString().substring(0, 8);
        insertUser(id);
        return id;
    }

    /** These users registered at once (inserted directly, as {@link #user}). */
    public TestMongo withUsers(String... ids) {
        for (String id : ids) {
            insertUser(id);
        }
        return this;
    }

    /** Registers {@code id} (inserted directly, as {@link #user}). */
    public void insertUser(String id) {
        db().getCollection(StoreSchema.USERS).insertOne(new Document(StoreSchema.User.ID, id)
                .append(StoreSchema.User.PASSWORD_HASH, "x").append(StoreSchema.User.CREATED_AT, new Date()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        server.shutdownNow();
    }
}
