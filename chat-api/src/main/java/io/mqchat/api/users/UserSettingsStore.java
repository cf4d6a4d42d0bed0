package io.mqchat.api.users;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import io.mqchat.common.contacts.DirectMessagePolicy;
import io.mqchat.common.contacts.PresencePolicy;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users' settings, kept in their {@code users} document (an absent field is the default). A stored value
 * this version does not know reads as the most restrictive one, never as a wider permission.
 */
@Repository
public class UserSettingsStore {

    private final MongoCollection<Document> users;

    public UserSettingsStore(MongoDatabase db) {
        this.users = db.getCollection(StoreSchema.USERS);
    }

    /** The settings of a registered user; empty if there is no such user. */
    public Optional<UserSettings> find(String userId) {
        requireValid(userId);
        Document d = users.find(Filters.eq(StoreSchema.User.ID, userId)).projection(Projections.include(
                StoreSchema.User.GROUP_ADDS, StoreSchema.User.DIRECT_MESSAGES, StoreSchema.User.PRESENCE)).first();
        return Optional.ofNullable(d).map(doc -> new UserSettings(groupAdds(doc),
                DirectMessagePolicy.ofStored(doc.get(StoreSchema.User.DIRECT_MESSAGES)),
                PresencePolicy.ofStored(doc.get(StoreSchema.User.PRESENCE))));
    }

    /** The {@code groupAdds} setting of each of these registered users (missing users are left out). */
    public Map<String, GroupAddPolicy> groupAddsOf(Collection<String> userIds) {
        userIds.forEach(UserSettingsStore::requireValid);
        Map<String, GroupAddPolicy> result = new HashMap<>();
        if (userIds.isEmpty()) {
            return result;
        }
        for (Document d : users.find(Filters.in(StoreSchema.User.ID, userIds))
                .projection(Projections.include(StoreSchema.User.ID, StoreSchema.User.GROUP_ADDS))) {
            result.put(d.getString(StoreSchema.User.ID), groupAdds(d));
        }
        return result;
    }

    /** Sets the settings given (null: unchanged) in one write; false if there is no such user. */
    public boolean update(String userId, GroupAddPolicy groupAdds, DirectMessagePolicy directMessages,
                          PresencePolicy presence) {
        requireValid(userId);
        List<Bson> sets = new ArrayList<>();
        if (groupAdds != null) {
            sets.add(Updates.set(StoreSchema.User.GROUP_ADDS, groupAdds.wire()));
        }
        if (directMessages != null) {
            sets.add(Updates.set(StoreSchema.User.DIRECT_MESSAGES, directMessages.wire()));
        }
        if (presence != null) {
            sets.add(Updates.set(StoreSchema.User.PRESENCE, presence.wire()));
        }
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("nothing to set");
        }
        return users.updateOne(Filters.eq(StoreSchema.User.ID, userId), Updates.combine(sets)).getMatchedCount() == 1;
    }

    private static GroupAddPolicy groupAdds(Document d) {
        Object value = d.get(StoreSchema.User.GROUP_ADDS);
        if (value == null) {
            return GroupAddPolicy.DEFAULT;
        }
        return value instanceof String s ? GroupAddPolicy.parse(s).orElse(GroupAddPolicy.NOBODY) : GroupAddPolicy.NOBODY;
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
