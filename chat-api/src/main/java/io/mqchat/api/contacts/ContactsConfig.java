package io.mqchat.api.contacts;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.contacts.Relations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds the contact limits; the look-up of blocks and contacts that groups share with the broker. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ContactsProperties.class, ContactRateLimitProperties.class})
public class ContactsConfig {

    @Bean
    Relations relations(MongoDatabase db) {
        return new Relations(db);
    }
}
