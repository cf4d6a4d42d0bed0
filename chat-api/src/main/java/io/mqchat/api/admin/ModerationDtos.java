package io.mqchat.api.admin;

import java.util.List;

/** Request and response bodies of {@link AdminModerationController}. */
public final class ModerationDtos {

    private ModerationDtos() {
    }

    /** {@code POST /api/v1/admin/messages/{id}/remove}: why (required, at most 500 characters). */
    public record RemoveRequest(String reason) {
    }

    /**
     * A stored message as admins see it: the envelope (for a removed or recalled one without its body, type
     * {@code recalled}) plus {@code removed}, and for those {@code recalledAt}, {@code recalledBy} (the
     * sender, a group's owner or admin, or an admin of the service) and an admin's {@code reason}. The body
     * is plain maps, lists and values (the web layer's Jackson is not the protocol's).
     */
    public record MessageView(String id, String conv, long seq, String from, String to, long ts, String dev,
                              String cid, String type, Object body, List<String> mentions, boolean removed,
                              Long recalledAt, String recalledBy, String reason) {
    }

    /** Answer of a removal: the message as stored now; {@code changed} false when it had been removed before. */
    public record Removal(MessageView message, boolean changed) {
    }

    /** Answer of {@code GET /api/v1/admin/users/{userId}/messages}: newest first, {@code next} the next page's before. */
    public record MessagePage(List<MessageView> messages, String next) {
    }
}
