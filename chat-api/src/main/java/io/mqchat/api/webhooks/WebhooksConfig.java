package io.mqchat.api.webhooks;

import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.webhooks.WebhookEndpoints;
import io.mqchat.common.webhooks.WebhookOutbox;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Binds {@link WebhooksProperties}; the endpoint list, the outbox chat-api's own events go to ({@code group.changed},
 * test-fires are written directly) and the dispatcher, which runs here when {@code MQCHAT_WEBHOOKS_DISPATCH} is on.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhooksProperties.class)
public class WebhooksConfig {

    @Bean(destroyMethod = "close")
    WebhookEndpoints webhookEndpoints(MongoDatabase db, WebhooksProperties properties) {
        return WebhookEndpoints.watching(db.getCollection(StoreSchema.WEBHOOK_ENDPOINTS), properties.refresh());
    }

    @Bean(destroyMethod = "close")
    WebhookOutbox webhookOutbox(MongoDatabase db, WebhookEndpoints endpoints, WebhooksProperties properties,
                                MeterRegistry metrics) {
        return new WebhookOutbox(db.getCollection(StoreSchema.WEBHOOK_DELIVERIES), endpoints, properties.queue(),
                metrics, Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    WebhookDispatcher webhookDispatcher(MongoDatabase db, WebhookEndpoints endpoints, WebhooksProperties properties,
                                        MeterRegistry metrics) {
        WebhookDispatcher dispatcher = new WebhookDispatcher(db.getCollection(StoreSchema.WEBHOOK_DELIVERIES), endpoints,
                properties, metrics, Clock.systemUTC());
        if (properties.dispatch()) {
            dispatcher.start();
        }
        return dispatcher;
    }
}
