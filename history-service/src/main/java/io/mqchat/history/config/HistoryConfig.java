package io.mqchat.history.config;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.MongoConfig;
import io.mqchat.web.MongoProperties;
import io.mqchat.web.WebHardeningConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * history-service's validated configuration ({@link HistoryProperties}), the MongoDB client built from it
 * (the shared {@link MongoConfig}), the token check's verifier and the shared request hardening
 * ({@link WebHardeningConfig}: body cap, duplicate JSON keys, problem details for every error). The Mongo settings are handed over from
 * the validated properties, so a bad value stops start-up with its message before anything tries to reach
 * MongoDB.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HistoryProperties.class)
@Import({MongoConfig.class, WebHardeningConfig.class})
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
