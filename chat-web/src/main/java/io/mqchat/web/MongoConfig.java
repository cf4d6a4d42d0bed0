package io.mqchat.web;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsCommandListener;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsConnectionPoolListener;
import io.mqchat.common.schema.StoreSchema;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.concurrent.TimeUnit;

/**
 * The MongoDB client, the database and its health indicator. The client is built here from the service's
 * {@link MongoProperties} bean ({@code mqchat.mongo.*}) rather than by Spring Boot's Mongo
 * auto-configuration, so two apps in one JVM never share or override it.
 *
 * <p>A service imports it ({@code @Import(MongoConfig.class)}) from its own configuration class, which also
 * provides the {@code MongoProperties} bean from its validated properties — so the properties are checked
 * before anything tries to reach MongoDB, and {@code @WebMvcTest} slices (which skip that class) start no
 * client.
 */
@Configuration(proxyBeanMethods = false)
public class MongoConfig {

    /** The database used when the URI names none. */
    public static final String DEFAULT_DATABASE = "mqchat";

    @Bean(destroyMethod = "close")
    MongoClient mongoClient(MongoProperties mongo, ObjectProvider<MeterRegistry> meterRegistry) {
        long timeoutMs = mongo.serverSelectionTimeout().toMillis();
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongo.uri()))
                // a down database must turn into a quick 503, not a request that hangs
                .applyToClusterSettings(b -> b.serverSelectionTimeout(timeoutMs, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE),
                        TimeUnit.MILLISECONDS));
        meterRegistry.ifAvailable(registry -> settings
                .addCommandListener(new MongoMetricsCommandListener(registry))
                .applyToConnectionPoolSettings(b -> b.addConnectionPoolListener(
                        new MongoMetricsConnectionPoolListener(registry))));
        return MongoClients.create(settings.build());
    }

    @Bean
    MongoDatabase mongoDatabase(MongoClient client, MongoProperties mongo) {
        String name = new ConnectionString(mongo.uri()).getDatabase();
        MongoDatabase db = client.getDatabase(name == null || name.isEmpty() ? DEFAULT_DATABASE : name);
        // idempotent; every component runs it so whichever starts first creates the indexes
        StoreSchema.ensureIndexes(db);
        return db;
    }

    /** Named {@code mongo}: that is its entry's name on {@code /actuator/health}. */
    @Bean("mongo")
    MongoHealthIndicator mongoHealthIndicator(MongoDatabase db) {
        return new MongoHealthIndicator(db);
    }
}
