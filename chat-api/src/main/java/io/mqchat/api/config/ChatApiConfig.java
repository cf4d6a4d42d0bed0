package io.mqchat.api.config;

import io.mqchat.api.auth.AuthRateLimits;
import io.mqchat.api.webhooks.WebhooksProperties;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.MongoConfig;
import io.mqchat.web.MongoProperties;
import io.mqchat.web.WebHardeningConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * chat-api's validated configuration ({@link ChatApiProperties}), the MongoDB client built from it (the
 * shared {@link MongoConfig}), the token service, the login and registration limits ({@link AuthRateLimits})
 * and the shared request hardening ({@link WebHardeningConfig}: body cap, duplicate JSON keys, problem
 * details for every error). The Mongo settings are handed over from the validated properties, so a bad
 * value stops start-up with its message before anything tries to reach MongoDB.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ChatApiProperties.class, AuthRateLimits.class})
@Import({MongoConfig.class, WebHardeningConfig.class})
public class ChatApiConfig {

    @Bean
    MongoProperties mongoProperties(ChatApiProperties properties, AuthRateLimits limits, WebhooksProperties webhooks) {
        // limits and webhooks are unused here: asking for them binds and validates them before anything reaches
        // MongoDB
        return properties.mongo();
    }

    @Bean
    AccessTokens accessTokens(ChatApiProperties properties) {
        return new AccessTokens(properties.jwt().secret());
    }
}
