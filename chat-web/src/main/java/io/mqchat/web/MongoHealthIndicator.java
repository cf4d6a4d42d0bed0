package io.mqchat.web;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports MongoDB reachability on {@code /actuator/health} (Boot's own indicator is not used, see
 * {@link MongoConfig}, which registers this one).
 */
public class MongoHealthIndicator extends AbstractHealthIndicator {

    private final MongoDatabase db;

    public MongoHealthIndicator(MongoDatabase db) {
        super("MongoDB health check failed");
        this.db = db;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        db.runCommand(new Document("ping", 1));
        builder.up().withDetail("database", db.getName());
    }
}
