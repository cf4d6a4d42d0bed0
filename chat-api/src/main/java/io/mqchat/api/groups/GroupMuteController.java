package io.mqchat.api.groups;

import io.mqchat.web.BearerTokenInterceptor;
import io.mqchat.common.auth.AccessTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Muting a member for a while, or the whole group. The broker enforces mutes on {@code chat/g/{groupId}}. */
@RestController
@RequestMapping("/api/v1/groups/{groupId}")
public class GroupMuteController {

    public record Mute(Long durationSeconds) {
    }

    private final GroupMutes mutes;

    public GroupMuteController(GroupMutes mutes) {
        this.mutes = mutes;
    }

    @Operation(summary = "Mute a member", description = "{\"durationSeconds\": 1..2592000 (30 days)}; admins mute "
            + "members, only the owner mutes admins, nobody mutes the owner (403). 200 with the member "
            + "(mutedUntil); event 'member_muted'. A muted member's publishes to the group are refused until then",
            security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/members/{userId}/mute")
    public GroupController.MemberView mute(@PathVariable String groupId, @PathVariable String userId,
                                           @RequestBody Mute body,
                                           @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                           AccessTokens.AccessToken caller) {
        return GroupController.MemberView.of(mutes.mute(groupId, caller.userId(), userId, body.durationSeconds()));
    }

    @Operation(summary = "Unmute a member", description = "Same rights as muting; 204 (also when not muted); "
            + "event 'member_unmuted' if the member was muted", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/members/{userId}/mute")
    public ResponseEntity<Void> unmute(@PathVariable String groupId, @PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                       AccessTokens.AccessToken caller) {
        mutes.unmute(groupId, caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Mute the whole group", description = "Admins and the owner; then only admins and the "
            + "owner may speak. 200 with the group (mutedAll true); event 'group_muted' (none if already muted)",
            security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/mute")
    public GroupController.GroupView muteAll(@PathVariable String groupId,
                                             @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                             AccessTokens.AccessToken caller) {
        return GroupController.GroupView.of(mutes.muteAll(groupId, caller.userId()));
    }

    @Operation(summary = "Unmute the whole group", description = "Admins and the owner; 204; event "
            + "'group_unmuted' (none if it was not muted)", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/mute")
    public ResponseEntity<Void> unmuteAll(@PathVariable String groupId,
                                          @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                          AccessTokens.AccessToken caller) {
        mutes.unmuteAll(groupId, caller.userId());
        return ResponseEntity.noContent().build();
    }
}
