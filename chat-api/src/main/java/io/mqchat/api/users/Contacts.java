package io.mqchat.api.users;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.springframework.stereotype.Repository;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who has whom as a contact, read from {@code contacts} ({@code _id = {user}|{contact}}, written in pairs by
 * {@code io.mqchat.api.contacts}), for the {@code contacts} choice of who may add a user to groups.
 */
@Repository
public class Contacts {

    private final MongoCollection<Document> contacts;

    public Contacts(MongoDatabase db) {
        this.contacts = db.getCollection(StoreSchema.CONTACTS);
    }

    /** Which of {@code users} have {@code contact} among their contacts (one query). */
    public Set<String> haveAsContact(Collection<String> users, String contact) {
        Set<String> result = new HashSet<>();
        if (users.isEmpty() || !Ids.isValidUserId(contact)) {
            return result;
        }
        List<String> ids = users.stream().filter(Ids::isValidUserId).map(u -> id(u, contact)).toList();
        for (Document d : contacts.find(Filters.in("_id", ids)).projection(Projections.include("_id"))) {
            String id = d.getString("_id");
            result.add(id.substring(0, id.indexOf('|')));
        }
        return result;
    }

    static String id(String user, String contact) {
        return user + "|" + contact;
    }
}
