package io.mqchat.api.webhooks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.schema.StoreSchema.WebhookEndpoint;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/** The endpoint registrations and the admin's view of the outbox ({@code webhook_endpoints}, {@code webhook_deliveries}). */
@Repository
public class WebhookStore {

    private final MongoCollection<Document> endpoints;
    private final MongoCollection<Document> deliveries;

    public WebhookStore(MongoDatabase db) {
        this.endpoints = db.getCollection(StoreSchema.WEBHOOK_ENDPOINTS);
        this.deliveries = db.getCollection(StoreSchema.WEBHOOK_DELIVERIES);
    }

    MongoCollection<Document> deliveries() {
        return deliveries;
    }

    MongoCollection<Document> endpoints() {
        return endpoints;
    }

    long countEndpoints() {
        return endpoints.countDocuments();
    }

    void insertEndpoint(Document endpoint) {
        endpoints.insertOne(endpoint);
    }

    Optional<Document> endpoint(String id) {
        return Optional.ofNullable(endpoints.find(Filters.eq(WebhookEndpoint.ID, id)).first());
    }

    /** By id; {@code after} the last id of the previous page (validated by the caller) or null. */
    List<Document> endpoints(String after, int limit) {
        Bson filter = after == null ? new Document() : Filters.gt(WebhookEndpoint.ID, after);
        List<Document> out = new ArrayList<>();
        endpoints.find(filter).sort(Sorts.ascending(WebhookEndpoint.ID)).limit(limit).forEach(out::add);
        return out;
    }

    Optional<Document> setEnabled(String id, boolean enabled) {
        return Optional.ofNullable(endpoints.findOneAndUpdate(Filters.eq(WebhookEndpoint.ID, id),
                Updates.set(WebhookEndpoint.ENABLED, enabled),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
    }

    /** Deletes the endpoint and everything queued for it; false when there was none. */
    boolean deleteEndpoint(String id) {
        if (endpoints.deleteOne(Filters.eq(WebhookEndpoint.ID, id)).getDeletedCount() == 0) {
            return false;
        }
        deliveries.deleteMany(Filters.eq(WebhookDelivery.ENDPOINT, id));
        return true;
    }

    void insertDelivery(Document delivery) {
        deliveries.insertOne(delivery);
    }

    /** Dead deliveries newest first, of one endpoint or all; {@code after} a previous page's last id or null. */
    List<Document> deadLetters(String endpoint, String after, int limit) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq(WebhookDelivery.STATE, WebhookDelivery.DEAD));
        if (endpoint != null) {
            filters.add(Filters.eq(WebhookDelivery.ENDPOINT, endpoint));
        }
        if (after != null) {
            filters.add(Filters.lt(WebhookDelivery.ID, new ObjectId(after)));
        }
        List<Document> out = new ArrayList<>();
        deliveries.find(Filters.and(filters)).projection(new Document(WebhookDelivery.BODY, 0))
                .sort(Sorts.descending(WebhookDelivery.ID)).limit(limit).forEach(out::add);
        return out;
    }

    Optional<Document> delivery(ObjectId id) {
        return Optional.ofNullable(deliveries.find(Filters.eq(WebhookDelivery.ID, id))
                .projection(new Document(WebhookDelivery.BODY, 0)).first());
    }

    /** A dead delivery made pending again, due now, with its attempts reset; empty when it is not dead. */
    Optional<Document> redeliver(ObjectId id, Date now) {
        return Optional.ofNullable(deliveries.findOneAndUpdate(
                Filters.and(Filters.eq(WebhookDelivery.ID, id), Filters.eq(WebhookDelivery.STATE, WebhookDelivery.DEAD)),
                Updates.combine(Updates.set(WebhookDelivery.STATE, WebhookDelivery.PENDING),
                        Updates.set(WebhookDelivery.ATTEMPTS, 0), Updates.set(WebhookDelivery.NEXT_AT, now)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)
                        .projection(new Document(WebhookDelivery.BODY, 0))));
    }
}
