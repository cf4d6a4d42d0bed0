package io.mqchat.history.config;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.MongoConfig;
import io.mqchat.web.MongoProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * history-service's validated configuration ({@link HistoryProperties}), the MongoDB client built from it
 * (the shared {@link MongoConfig}) and the token check's verifier. The Mongo settings are handed over from
 * the validated properties, so a bad value stops start-up with its message before anything tries to reach
 * MongoDB.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HistoryProperties.class)
@Import(MongoConfig.class)
public class HistoryConfig {

    @Bean
    MongoProperties mongoProperties(HistoryProperties properties) {
        return properties.mongo();
    }

    @Bean
    AccessTokens accessTokens(HistoryProperties properties) {
        return new AccessTokens(properties.jwt().secret());
    }
}
