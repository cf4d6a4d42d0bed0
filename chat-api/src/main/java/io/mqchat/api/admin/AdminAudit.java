package io.mqchat.api.admin;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.StoreSchema;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The {@code admin_audit} collection: one document per admin action, never changed afterwards. Its
 * {@code _id} is an ObjectId, which grows with time, so it is both the order and the paging cursor.
 */
@Repository
public class AdminAudit {

    /** One recorded action; {@code until} (bans) and {@code deviceType} (kicks) only where they apply. */
    public record Entry(String id, Instant at, String admin, String action, String target, String reason,
                        Instant until, String deviceType) {
    }

    private final MongoCollection<Document> audit;

    public AdminAudit(MongoDatabase db) {
        this.audit = db.getCollection(StoreSchema.ADMIN_AUDIT);
    }

    public void record(String admin, String action, String target, String reason, Instant until, String deviceType) {
        Document doc = new Document("_id", new ObjectId()).append("at", new Date()).append("admin", admin)
                .append("action", action).append("target", target);
        if (reason != null) {
            doc.append("reason", reason);
        }
        if (until != null) {
            doc.append("until", Date.from(until));
        }
        if (deviceType != null) {
            doc.append("deviceType", deviceType);
        }
        audit.insertOne(doc);
    }

    /**
     * Newest first. {@code admin}, {@code target} (validated user ids) and {@code after} (the id of the last
     * entry of the previous page, validated as an ObjectId) may be null.
     */
    public List<Entry> page(String admin, String target, String after, int limit) {
        List<Bson> filters = new ArrayList<>();
        if (admin != null) {
            requireValid(admin);
            filters.add(Filters.eq("admin", admin));
        }
        if (target != null) {
            requireValid(target);
            filters.add(Filters.eq("target", target));
        }
        if (after != null) {
            filters.add(Filters.lt("_id", new ObjectId(after)));
        }
        List<Entry> out = new ArrayList<>();
        audit.find(filters.isEmpty() ? new Document() : Filters.and(filters)).sort(Sorts.descending("_id"))
                .limit(limit).forEach(d -> out.add(new Entry(d.getObjectId("_id").toHexString(),
                        d.getDate("at").toInstant(), d.getString("admin"), d.getString("action"),
                        d.getString("target"), d.getString("reason"),
                        d.getDate("until") == null ? null : d.getDate("until").toInstant(), d.getString("deviceType"))));
        return out;
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
