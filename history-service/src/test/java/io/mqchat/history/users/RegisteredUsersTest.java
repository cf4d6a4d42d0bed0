package io.mqchat.history.users;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A deleted account still counts as a conversation peer (its messages stay readable); unknown ids do not. */
class RegisteredUsersTest {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final MongoClient CLIENT = MongoClients.create("mongodb://127.0.0.1:" + MONGO.bind().getPort());

    @AfterAll
    static void stop() {
        CLIENT.close();
        MONGO.shutdownNow();
    }

    @Test
    void registeredAndDeletedAccountsExistUnknownOnesDoNot() {
        MongoDatabase db = CLIENT.getDatabase("registered");
        db.getCollection(StoreSchema.USERS).insertOne(new Document(StoreSchema.User.ID, "amy"));
        db.getCollection(StoreSchema.DELETED_USERS).insertOne(new Document(StoreSchema.User.ID, "gone"));
        RegisteredUsers users = new RegisteredUsers(db);
        assertThat(users.exists("amy")).isTrue();
        assertThat(users.exists("gone")).isTrue();
        assertThat(users.exists("nobody")).isFalse();
        assertThatThrownBy(() -> users.exists("a/b")).isInstanceOf(IllegalArgumentException.class);
    }
}
