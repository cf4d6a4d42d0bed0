package io.mqchat.history.config;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsCommandListener;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsConnectionPoolListener;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.store.StoreSchema;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.concurrent.TimeUnit;

/**
 * The MongoDB client and the token service. The client is built here from {@code mqchat.mongo.*} rather
 * than by Spring Boot's Mongo auto-configuration, so two apps in one JVM never share or override it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HistoryProperties.class)
public class MongoConfig {

    /** The database used when the URI names none. */
    public static final String DEFAULT_DATABASE = "mqchat";

    @Bean(destroyMethod = "close")
    MongoClient mongoClient(HistoryProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        long timeoutMs = properties.mongo().serverSelectionTimeout().toMillis();
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(properties.mongo().uri()))
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
    MongoDatabase mongoDatabase(MongoClient client, HistoryProperties properties) {
        String name = new ConnectionString(properties.mongo().uri()).getDatabase();
        MongoDatabase db = client.getDatabase(name == null || name.isEmpty() ? DEFAULT_DATABASE : name);
        // idempotent; every component runs it so whichever starts first creates the indexes
        StoreSchema.ensureIndexes(db);
        return db;
    }

    @Bean
    AccessTokens accessTokens(HistoryProperties properties) {
        return new AccessTokens(properties.jwt().secret());
    }
}
