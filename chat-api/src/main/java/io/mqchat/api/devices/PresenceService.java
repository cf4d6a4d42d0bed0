package io.mqchat.api.devices;

import com.mongodb.client.MongoDatabase;
import io.mqchat.api.users.UserStore;
import io.mqchat.common.contacts.Relations;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.presence.PresenceAudience;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.redis.PresenceStore;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.ConversationSummaries;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A user's presence for those allowed to see it — the same rule as subscribing to {@code chat/p/{userId}}
 * ({@link PresenceAudience}): the user, users with a direct conversation both of them wrote in, and members of a
 * group they share.
 */
@Service
public class PresenceService {

    /** Online devices now, and when the user was last seen on any device (0 if never). */
    public record Presence(String userId, List<String> online, long lastSeen) {
    }

    private final PresenceStore presence;
    private final UserStore users;
    private final PresenceAudience audience;

    public PresenceService(PresenceStore presence, UserStore users, MongoDatabase db, GroupDirectory groups) {
        this.presence = presence;
        this.users = users;
        this.audience = new PresenceAudience(new ConversationSummaries(db.getCollection(StoreSchema.CONVERSATIONS),
                db.getCollection(StoreSchema.MESSAGES), Clock.systemUTC()), groups, new Relations(db));
    }

    /** 404 unknown user, 403 not allowed to see them. */
    public Presence of(String caller, String userId) {
        if (!Ids.isValidUserId(userId) || users.find(userId).isEmpty()) {
            throw ApiException.notFound("No such user.");
        }
        if (!audience.maySee(caller, userId)) {
            throw ApiException.forbidden("You see the presence of users you exchanged direct messages with (both of "
                    + "you sent one) or share a group with; send them a message and it is visible once they reply.");
        }
        Map<String, PresenceStore.DevicePresence> devices = presence.read(userId);
        List<String> online = devices.values().stream().filter(PresenceStore.DevicePresence::online)
                .map(PresenceStore.DevicePresence::deviceType).toList();
        long lastSeen = devices.values().stream().mapToLong(PresenceStore.DevicePresence::lastSeen).max().orElse(0);
        return new Presence(userId, online, lastSeen);
    }
}
