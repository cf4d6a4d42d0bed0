package io.mqchat.api.users;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own settings ({@code me} is always the token's user: nobody reads or changes another's). */
@RestController
@RequestMapping("/api/v1/users/me/settings")
public class UserSettingsController {

    public record SettingsView(
            @Schema(description = "who may add you to groups directly: everyone (default), contacts, nobody; "
                    + "anyone else invites you instead", allowableValues = {"everyone", "contacts", "nobody"})
            String groupAdds) {
        static SettingsView of(UserSettings s) {
            return new SettingsView(s.groupAdds().wire());
        }
    }

    public record SettingsChange(
            @Schema(description = "everyone, contacts or nobody; absent: unchanged",
                    allowableValues = {"everyone", "contacts", "nobody"})
            String groupAdds) {
    }

    private final UserSettingsService settings;

    public UserSettingsController(UserSettingsService settings) {
        this.settings = settings;
    }

    @Operation(summary = "My settings", description = "groupAdds: who may add you to groups directly "
            + "(everyone, contacts, nobody); others invite you instead", security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public SettingsView get(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return SettingsView.of(settings.mine(caller.userId()));
    }

    @Operation(summary = "Change my settings", description = "{\"groupAdds\":\"everyone\"|\"contacts\"|\"nobody\"}: "
            + "who may add you to groups directly; everyone else's additions become invitations you accept or "
            + "decline. contacts admits nobody until contacts exist. 200 with all settings; 400 unknown value",
            security = @SecurityRequirement(name = "bearer"))
    @PatchMapping
    public SettingsView change(@RequestBody SettingsChange body,
                               @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return SettingsView.of(settings.change(caller.userId(), new UserSettingsService.Change(body.groupAdds())));
    }
}
