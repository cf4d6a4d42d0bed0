package io.mqchat.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mqchat.api.groups.GroupStore;
import io.mqchat.api.limits.RequestRateLimiter;
import io.mqchat.common.broadcast.Audience;
import io.mqchat.common.broadcast.Broadcasts;
import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.SystemConversation;
import io.mqchat.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of an operator's broadcast: a text for everyone, for listed registered users, or for the members
 * of a live group, limited per admin ({@code MQCHAT_RATELIMIT_BROADCAST}), stored once and delivered by
 * {@link Broadcasts}, and audited.
 */
@Service
public class BroadcastService {

    private static final Logger log = LoggerFactory.getLogger(BroadcastService.class);
    /** Characters of a broadcast's text at most (a broadcast is an announcement, not a document). */
    static final int MAX_TEXT = 4_000;
    static final String LIMIT_KIND = "admin-broadcast";

    private final Broadcasts broadcasts;
    private final ManagedAccounts accounts;
    private final GroupStore groups;
    private final AdminAudit audit;
    private final RequestRateLimiter limiter;
    private final RateLimit limit;

    public BroadcastService(Broadcasts broadcasts, ManagedAccounts accounts, GroupStore groups, AdminAudit audit,
                            RequestRateLimiter limiter, AdminRateLimitProperties limits) {
        this.broadcasts = broadcasts;
        this.accounts = accounts;
        this.groups = groups;
        this.audit = audit;
        this.limiter = limiter;
        this.limit = limits.broadcastLimit();
    }

    public AdminDtos.Broadcast broadcast(String admin, AdminDtos.BroadcastRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a body {\"body\": \"text\", \"to\": \"all\" | [\"userId\", ...] | "
                    + "{\"group\": \"groupId\"}} is required");
        }
        JsonNode text = text(request.body());
        Audience audience = audience(request.to());
        limiter.takeOrRefuse(LIMIT_KIND, admin, limit, 1, "broadcast_rate_limited", seconds -> "You sent too many "
                + "broadcasts recently (" + limit.text() + "); the next is possible in " + seconds + " s (Retry-After).");
        ChatMessage stored;
        try {
            stored = broadcasts.send(text, audience);
        } catch (Broadcasts.DeliveryFailed e) {
            // stored: devices online now may miss it live, every device finds it by sync
            log.error("Broadcast {} is stored but its live delivery could not be sent on the bus", e.stored().id(), e);
            stored = e.stored();
        }
        audit.record(admin, "broadcast", target(audience), null, null, null);
        if (audience instanceof Audience.Users u) {
            return new AdminDtos.Broadcast(stored.id(), stored.conv().toString(), stored.seq(), stored.ts(), "users",
                    u.ids().size(), null);
        }
        String groupId = audience instanceof Audience.Group g ? g.groupId() : null;
        return new AdminDtos.Broadcast(stored.id(), stored.conv().toString(), stored.seq(), stored.ts(),
                groupId == null ? "all" : "group", null, groupId);
    }

    private static JsonNode text(Object body) {
        if (!(body instanceof String text) || text.isBlank()) {
            throw ApiException.badRequest("body must be the broadcast's text (a non-blank string)");
        }
        if (text.codePointCount(0, text.length()) > MAX_TEXT) {
            throw ApiException.badRequest("body is longer than " + MAX_TEXT + " characters");
        }
        return TextNode.valueOf(text);
    }

    private Audience audience(Object to) {
        if ("all".equals(to)) {
            return new Audience.Everyone();
        }
        if (to instanceof List<?> list) {
            return users(list);
        }
        if (to instanceof Map<?, ?> map && map.size() == 1 && map.get("group") instanceof String groupId) {
            if (!Ids.isValidGroupId(groupId) || groups.findGroup(groupId).isEmpty()) {
                throw ApiException.notFound("No such group: " + Ids.printable(groupId));
            }
            return new Audience.Group(groupId);
        }
        throw ApiException.badRequest("to must be \"all\", an array of user ids, or {\"group\": \"groupId\"}");
    }

    private Audience users(List<?> list) {
        if (list.isEmpty() || list.size() > SystemConversation.MAX_AUDIENCE) {
            throw ApiException.badRequest("to must list 1 to " + SystemConversation.MAX_AUDIENCE
                    + " user ids (for everyone, send \"all\")");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (Object id : list) {
            if (!(id instanceof String userId) || !Ids.isValidUserId(userId)) {
                throw ApiException.badRequest("to lists '" + Ids.printable(String.valueOf(id)) + "', which is not a user id ("
                        + Ids.userIdRule() + ")");
            }
            ids.add(userId);
        }
        List<String> unknown = accounts.unregistered(new ArrayList<>(ids));
        if (!unknown.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, unknown.size() + " of the users are not registered: "
                    + String.join(", ", unknown.subList(0, Math.min(5, unknown.size())))
                    + (unknown.size() > 5 ? ", ..." : "") + "; nothing was sent", "unknown_users");
        }
        return new Audience.Users(List.copyOf(ids));
    }

    private static String target(Audience audience) {
        if (audience instanceof Audience.Users u) {
            return u.ids().size() + " users";
        }
        return audience instanceof Audience.Group g ? "group " + g.groupId() : "all";
    }

}
