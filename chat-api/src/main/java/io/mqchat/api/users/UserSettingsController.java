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
            String groupAdds,
            @Schema(description = "who may send you direct messages: everyone (default) or contacts",
                    allowableValues = {"everyone", "contacts"})
            String directMessages,
            @Schema(description = "who may see your presence: talked (default: users you exchanged direct messages "
                    + "with or share a group with), contacts, nobody", allowableValues = {"talked", "contacts", "nobody"})
            String presence) {
        static SettingsView of(UserSettings s) {
            return new SettingsView(s.groupAdds().wire(), s.directMessages().wire(), s.presence().wire());
        }
    }

    public record SettingsChange(
            @Schema(description = "everyone, contacts or nobody; absent: unchanged",
                    allowableValues = {"everyone", "contacts", "nobody"})
            String groupAdds,
            @Schema(description = "everyone or contacts; absent: unchanged", allowableValues = {"everyone", "contacts"})
            String directMessages,
            @Schema(description = "talked, contacts or nobody; absent: unchanged",
                    allowableValues = {"talked", "contacts", "nobody"})
            String presence) {
    }

    private final UserSettingsService settings;

    public UserSettingsController(UserSettingsService settings) {
        this.settings = settings;
    }

    @Operation(summary = "My settings", description = "groupAdds: who may add you to groups directly "
            + "(everyone, contacts, nobody; others invite you instead); directMessages: who may message you "
            + "(everyone, contacts); presence: who sees you online (talked, contacts, nobody)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public SettingsView get(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return SettingsView.of(settings.mine(caller.userId()));
    }

    @Operation(summary = "Change my settings", description = "Any of {\"groupAdds\":\"everyone\"|\"contacts\"|"
            + "\"nobody\", \"directMessages\":\"everyone\"|\"contacts\", \"presence\":\"talked\"|\"contacts\"|"
            + "\"nobody\"}; absent settings stay as they are. 200 with all settings; 400 an unknown value (nothing "
            + "is changed)",
            security = @SecurityRequirement(name = "bearer"))
    @PatchMapping
    public SettingsView change(@RequestBody SettingsChange body,
                               @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return SettingsView.of(settings.change(caller.userId(), new UserSettingsService.Change(body.groupAdds(),
                body.directMessages(), body.presence())));
    }
}
