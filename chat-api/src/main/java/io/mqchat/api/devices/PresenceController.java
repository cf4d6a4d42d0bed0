package io.mqchat.api.devices;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;

/** A user's presence, for those allowed to see it ({@link PresenceService}). */
@RestController
public class PresenceController {

    /** Online devices now, and when the user was last seen on any device (null if never). */
    public record PresenceView(String userId, boolean online, List<String> devices, String lastSeen) {
    }

    private final PresenceService presence;

    public PresenceController(PresenceService presence) {
        this.presence = presence;
    }

    @Operation(summary = "A user's presence", description = "Yours, and that of users you exchanged direct "
            + "messages with (both of you sent one) or share a group with; 403 for anyone else (a message you "
            + "sent that was not answered does not count); 404 unknown user",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/api/v1/users/{userId}/presence")
    public PresenceView get(@PathVariable String userId,
                            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        PresenceService.Presence p = presence.of(caller.userId(), userId);
        return new PresenceView(p.userId(), !p.online().isEmpty(), p.online(),
                p.lastSeen() == 0 ? null : Instant.ofEpochMilli(p.lastSeen()).toString());
    }
}
