package io.mqchat.api.contacts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Contact and block limits ({@code mqchat.contacts.*}, e.g. env {@code MQCHAT_CONTACTS_MAXPENDINGREQUESTS}).
 * Validated at start.
 *
 * @param maxPendingRequests the most contact requests a user may have waiting for an answer at once
 * @param maxBlocks          the most users one user may block
 * @param keptChanges        how many of a user's newest contact changes are kept for {@code sinceVersion}; a
 *                           client further behind is told to reload its whole list (410)
 */
@Validated
@ConfigurationProperties("mqchat.contacts")
public record ContactsProperties(
        @Min(value = 1, message = "must be at least 1 (MQCHAT_CONTACTS_MAXPENDINGREQUESTS)")
        @Max(value = 100_000, message = "must be at most 100000 (MQCHAT_CONTACTS_MAXPENDINGREQUESTS)")
        @DefaultValue("500") int maxPendingRequests,
        @Min(value = 1, message = "must be at least 1 (MQCHAT_CONTACTS_MAXBLOCKS)")
        @Max(value = 1_000_000, message = "must be at most 1000000 (MQCHAT_CONTACTS_MAXBLOCKS)")
        @DefaultValue("10000") int maxBlocks,
        @Min(value = 10, message = "must be at least 10 (MQCHAT_CONTACTS_KEPTCHANGES)")
        @Max(value = 10_000_000, message = "must be at most 10000000 (MQCHAT_CONTACTS_KEPTCHANGES)")
        @DefaultValue("10000") int keptChanges) {
}
