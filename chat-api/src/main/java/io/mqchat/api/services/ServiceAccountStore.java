package io.mqchat.api.services;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.mqchat.api.users.UserAlreadyExistsException;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.services.ServiceAccount;
import io.mqchat.common.store.UniqueInsert;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Service accounts in the {@code users} collection (one id space with people). Every query is by a validated id
 * and kind {@value StoreSchema.User#KIND_SERVICE}, so a person's account is never read or changed here.
 */
@Repository
public class ServiceAccountStore {

    private final MongoCollection<Document> users;

    public ServiceAccountStore(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
    }

    /** @throws UserAlreadyExistsException if the id is taken (by a person or a service) */
    public void insert(ServiceAccount account) {
        requireValid(account.id());
        if (!UniqueInsert.insertIfAbsent(users, account.toUserDocument())) {
            throw new UserAlreadyExistsException(account.id());
        }
    }

    public Optional<ServiceAccount> find(String id) {
        requireValid(id);
        return ServiceAccount.fromUserDocument(users.find(byId(id)).first());
    }

    /** Replaces the account's service fields; false if there is no such service account. */
    public boolean replace(ServiceAccount account) {
        requireValid(account.id());
        return users.updateOne(byId(account.id()), Updates.set(StoreSchema.User.SERVICE, account.serviceDocument()))
                .getMatchedCount() == 1;
    }

    /**
     * Replaces the account's service fields only if its credential is still {@code expectedCredential}, so that two
     * rotations at once cannot both hand out a working secret.
     */
    public boolean replaceIfCredential(ServiceAccount account, String expectedCredential) {
        requireValid(account.id());
        return users.updateOne(Filters.and(byId(account.id()),
                        Filters.eq(StoreSchema.User.SERVICE + ".credential", expectedCredential)),
                Updates.set(StoreSchema.User.SERVICE, account.serviceDocument())).getModifiedCount() == 1;
    }

    /** By id, after {@code after} (exclusive). */
    public List<ServiceAccount> page(String after, int limit) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.eq(StoreSchema.User.KIND, StoreSchema.User.KIND_SERVICE)));
        if (after != null) {
            requireValid(after);
            filters.add(Filters.gt(StoreSchema.User.ID, after));
        }
        List<ServiceAccount> out = new ArrayList<>();
        users.find(Filters.and(filters)).sort(Sorts.ascending(StoreSchema.User.ID)).limit(limit)
                .forEach(d -> ServiceAccount.fromUserDocument(d).ifPresent(out::add));
        return out;
    }

    private static Bson byId(String id) {
        return Filters.and(Filters.eq(StoreSchema.User.ID, id),
                Filters.eq(StoreSchema.User.KIND, StoreSchema.User.KIND_SERVICE));
    }

    private static void requireValid(String id) {
        if (!Ids.isValidUserId(id)) {
            throw new IllegalArgumentException("unvalidated service id passed to the store");
        }
    }
}
