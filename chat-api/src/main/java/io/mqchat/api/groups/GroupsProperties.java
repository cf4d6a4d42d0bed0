package io.mqchat.api.groups;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Group settings ({@code mqchat.groups.*}, e.g. env {@code MQCHAT_GROUPS_MAXSIZE}).
 *
 * @param maxSize the most members a group may have, the owner included
 */
@Validated
@ConfigurationProperties("mqchat.groups")
public record GroupsProperties(@Min(value = 2, message = "must be at least 2 (MQCHAT_GROUPS_MAXSIZE)")
                               @Max(value = 100_000, message = "must be at most 100000 (MQCHAT_GROUPS_MAXSIZE)")
                               @DefaultValue("1000") int maxSize) {
}
