package io.mqchat.api.admin;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Moderation in the admin API (admins only, by {@link AdminWebConfig}); the rules live in {@link Moderation}. */
@RestController
@RequestMapping("/api/v1/admin")
public class AdminModerationController {

    private final Moderation moderation;

    public AdminModerationController(Moderation moderation) {
        this.moderation = moderation;
    }

    @Operation(summary = "Remove a message for everyone",
            description = "Any message, at any age: stored as a recall (ids and positions stay, the body goes, type "
                    + "\"recalled\") naming the admin and the reason (required, at most 500 characters); every device "
                    + "of the conversation gets the recall event {\"type\":\"recall\",\"conv\",\"id\",\"msgSeq\",\"by\","
                    + "\"reason\",\"admin\":true,\"ts\"}; recorded in the audit (message_removed). Already removed or "
                    + "recalled: 200 with changed = false (no new event). 404 unknown message; 409 a group event",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/messages/{messageId}/remove")
    public ModerationDtos.Removal remove(@PathVariable String messageId,
                                         @RequestBody(required = false) ModerationDtos.RemoveRequest body,
                                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return moderation.remove(caller.userId(), messageId, body);
    }

    @Operation(summary = "One message", description = "As stored, removed ones with who removed them and why",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/messages/{messageId}")
    public ModerationDtos.MessageView message(@PathVariable String messageId) {
        return moderation.message(messageId);
    }

    @Operation(summary = "What a user sent", description = "Every conversation, newest first, removed and recalled "
            + "messages included; paged: pass the answer's next as before", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/users/{userId}/messages")
    public ModerationDtos.MessagePage messages(@PathVariable String userId,
                                               @RequestParam(required = false) String before,
                                               @RequestParam(required = false) Integer limit) {
        return moderation.messagesOf(userId, before, limit);
    }
}
