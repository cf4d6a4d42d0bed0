package io.mqchat.api.admin;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.schema.StoreSchema.AdminAuditEntry;
import io.mqchat.common.schema.StoreSchema;
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
        Document doc = new Document(AdminAuditEntry.ID, new ObjectId()).append(AdminAuditEntry.AT, new Date())
                .append(AdminAuditEntry.ADMIN, admin).append(AdminAuditEntry.ACTION, action)
                .append(AdminAuditEntry.TARGET, target);
        if (reason != null) {
            doc.append(AdminAuditEntry.REASON, reason);
        }
        if (until != null) {
            doc.append(AdminAuditEntry.UNTIL, Date.from(until));
        }
        if (deviceType != null) {
            doc.append(AdminAuditEntry.DEVICE_TYPE, deviceType);
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
            filters.add(Filters.eq(AdminAuditEntry.ADMIN, admin));
        }
        if (target != null) {
            requireValid(target);
            filters.add(Filters.eq(AdminAuditEntry.TARGET, target));
        }
        if (after != null) {
            filters.add(Filters.lt(AdminAuditEntry.ID, new ObjectId(after)));
        }
        List<Entry> out = new ArrayList<>();
        audit.find(filters.isEmpty() ? new Document() : Filters.and(filters)).sort(Sorts.descending(AdminAuditEntry.ID))
                .limit(limit).forEach(d -> out.add(entry(d)));
        return out;
    }

    private static Entry entry(Document d) {
        Date until = d.getDate(AdminAuditEntry.UNTIL);
        return new Entry(d.getObjectId(AdminAuditEntry.ID).toHexString(), d.getDate(AdminAuditEntry.AT).toInstant(),
                d.getString(AdminAuditEntry.ADMIN), d.getString(AdminAuditEntry.ACTION), d.getString(AdminAuditEntry.TARGET),
                d.getString(AdminAuditEntry.REASON), until == null ? null : until.toInstant(),
                d.getString(AdminAuditEntry.DEVICE_TYPE));
    }

    private static void requireValid(String userId) {
        if (!Ids.isValidUserId(userId)) {
            throw new IllegalArgumentException("unvalidated user id passed to the store");
        }
    }
}
