package io.mqchat.broker.ingest;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Recipients on an in-memory store: registered, deleted (tombstoned) and unknown ids, and how long a cache holds. */
class UserDirectoryTest {

    private static EmbeddedMongo mongo;
    private static MongoClient client;
    private static MongoCollection<Document> users;
    private static MongoCollection<Document> deleted;
    private static final ExecutorService LOOKUPS = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void start() {
        mongo = EmbeddedMongo.inMemory();
        client = MongoClients.create(mongo.uri("directory"));
        users = client.getDatabase("directory").getCollection(StoreSchema.USERS);
        deleted = client.getDatabase("directory").getCollection(StoreSchema.DELETED_USERS);
    }

    @AfterAll
    static void stop() {
        LOOKUPS.shutdownNow();
        client.close();
        mongo.close();
    }

    @Test
    void tellsRegisteredDeletedAndUnknownApart() {
        users.insertOne(new Document(StoreSchema.User.ID, "here"));
        deleted.insertOne(new Document(StoreSchema.User.ID, "gone"));
        UserDirectory directory = new UserDirectory(users, deleted, LOOKUPS, Duration.ofMinutes(1), Duration.ofMinutes(1));
        assertThat(directory.find("here").join()).isEqualTo(UserDirectory.Recipient.REGISTERED);
        assertThat(directory.find("gone").join()).isEqualTo(UserDirectory.Recipient.DELETED);
        assertThat(directory.find("never").join()).isEqualTo(UserDirectory.Recipient.UNKNOWN);
        // without the tombstones a deleted id reads as unknown
        assertThat(new UserDirectory(users, null, LOOKUPS, Duration.ofMinutes(1), Duration.ofMinutes(1))
                .find("gone").join()).isEqualTo(UserDirectory.Recipient.UNKNOWN);
    }

    @Test
    void aDeletedAccountStopsBeingARecipientOnceItsCachedAnswerExpires() {
        users.insertOne(new Document(StoreSchema.User.ID, "leaving"));
        UserDirectory directory = new UserDirectory(users, deleted, LOOKUPS, Duration.ofMillis(500), Duration.ofMillis(100));
        assertThat(directory.find("leaving").join()).isEqualTo(UserDirectory.Recipient.REGISTERED);
        // what chat-api does when the account is deleted
        deleted.insertOne(new Document(StoreSchema.User.ID, "leaving"));
        users.deleteOne(Filters.eq(StoreSchema.User.ID, "leaving"));
        assertThat(directory.find("leaving").join()).as("cached").isEqualTo(UserDirectory.Recipient.REGISTERED);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> directory.find("leaving").join() == UserDirectory.Recipient.DELETED);
        assertThat(UserDirectory.REGISTERED_TTL).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
}
