package io.mqchat.api.admin;

import io.mqchat.api.config.ChatApiProperties;
import org.springframework.stereotype.Service;

import java.util.Set;

/**
 * Who holds the admin role: the user ids configured in {@code MQCHAT_ADMINS}, and those an admin granted it
 * to (stored on the user document). Read from the store at every admin call, so a revocation counts at once
 * and a token never carries the role.
 */
@Service
public class AdminAccess {

    private final Set<String> configured;
    private final ManagedAccounts accounts;

    public AdminAccess(ChatApiProperties properties, ManagedAccounts accounts) {
        this.configured = Set.copyOf(properties.adminIds());
        this.accounts = accounts;
    }

    public boolean isConfigured(String userId) {
        return configured.contains(userId);
    }

    public boolean isAdmin(String userId) {
        return configured.contains(userId) || accounts.isAdminStored(userId);
    }
}
