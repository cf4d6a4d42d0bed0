package io.mqchat.api.devices;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.mqchat.web.BearerTokenInterceptor;
import io.mqchat.api.users.UserStore;
import io.mqchat.web.ApiException;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.store.StoreSchema;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A user's presence, for those allowed to see it: the user, and users who have a direct conversation with
 * them (the same rule as for subscribing to {@code chat/p/{userId}}).
 */
@RestController
public class PresenceController {

    /** Online devices now, and when the user was last seen on any device (null if never). */
    public record PresenceView(String userId, boolean online, List<String> devices, String lastSeen) {
    }

    private final PresenceStore presence;
    private final UserStore users;
    private final MongoDatabase db;

    public PresenceController(PresenceStore presence, UserStore users, MongoDatabase db) {
        this.presence = presence;
        this.users = users;
        this.db = db;
    }

    @Operation(summary = "A user's presence", description = "403 unless it is you or someone you have a "
            + "conversation with", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/api/v1/users/{userId}/presence")
    public PresenceView get(@PathVariable String userId,
                            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        if (!Ids.isValidUserId(userId) || users.find(userId).isEmpty()) {
            throw ApiException.notFound("No such user.");
        }
        if (!userId.equals(caller.userId()) && db.getCollection(StoreSchema.MESSAGES)
                .find(Filters.eq(StoreSchema.Message.CONV, ConversationId.direct(caller.userId(), userId).toString()))
                .limit(1).first() == null) {
            throw ApiException.forbidden("You can see the presence of users you have a conversation with.");
        }
        Map<String, PresenceStore.DevicePresence> devices = presence.read(userId);
        List<String> online = devices.values().stream().filter(PresenceStore.DevicePresence::online)
                .map(PresenceStore.DevicePresence::deviceType).toList();
        long lastSeen = devices.values().stream().mapToLong(PresenceStore.DevicePresence::lastSeen).max().orElse(0);
        return new PresenceView(userId, !online.isEmpty(), online, lastSeen == 0 ? null : Instant.ofEpochMilli(lastSeen).toString());
    }
}
