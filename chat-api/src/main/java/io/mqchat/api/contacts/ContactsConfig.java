package io.mqchat.api.contacts;

import com.mongodb.client.MongoDatabase;
import io.mqchat.common.contacts.ContactChangeFeed;
import io.mqchat.common.contacts.Relations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds the contact limits; the look-ups of blocks, contacts and contact changes shared with the broker. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ContactsProperties.class, ContactRateLimitProperties.class})
public class ContactsConfig {

    @Bean
    Relations relations(MongoDatabase db) {
        return new Relations(db);
    }

    /** Reading the contact changes: the same for REST and the broker's MQTT requests. */
    @Bean
    ContactChangeFeed contactChangeFeed(MongoDatabase db) {
        return new ContactChangeFeed(db);
    }
}
