package io.mqchat.api.groups;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@link GroupsProperties}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GroupsProperties.class)
public class GroupsConfig {
}
