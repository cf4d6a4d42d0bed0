package io.mqchat.api.groups;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

import static io.mqchat.api.groups.GroupController.text;

/**
 * How users get into a group besides being added: invitations (a member invites, the invitee accepts or
 * declines) and join requests (by the group's join policy: joined at once, pending an admin, or refused).
 */
@RestController
@RequestMapping("/api/v1")
public class GroupJoinController {

    public record Invite(List<String> userIds) {
    }

    /** A pending invitation of {@code userId}, as the inviter sees it. */
    public record InvitationView(String groupId, String userId, String by, String createdAt) {
        static InvitationView of(PendingJoin p) {
            return new InvitationView(p.groupId(), p.userId(), p.by(), text(p.createdAt()));
        }
    }

    /** A pending invitation of the caller. */
    public record MyInvitationView(String groupId, String groupName, String by, String createdAt) {
        static MyInvitationView of(GroupInvitations.Invitation i) {
            return new MyInvitationView(i.pending().groupId(), i.groupName(), i.pending().by(),
                    text(i.pending().createdAt()));
        }
    }

    public record JoinRequestView(String groupId, String userId, String createdAt) {
        static JoinRequestView of(PendingJoin p) {
            return new JoinRequestView(p.groupId(), p.userId(), text(p.createdAt()));
        }
    }

    private final GroupInvitations invitations;
    private final GroupJoinRequests joinRequests;

    public GroupJoinController(GroupInvitations invitations, GroupJoinRequests joinRequests) {
        this.invitations = invitations;
        this.joinRequests = joinRequests;
    }

    // ---- invitations

    @Operation(summary = "Invite users", description = "{\"userIds\":[...]}; admins and the owner, plain members "
            + "too while membersInvite is on (403 otherwise). 201 with the pending invitations; inviting someone "
            + "already invited changes nothing; 409 already members (named); 400 unknown users; 429 too many "
            + "users added or invited recently (Retry-After)",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/groups/{groupId}/invitations")
    public ResponseEntity<List<InvitationView>> invite(@PathVariable String groupId, @RequestBody Invite body,
                                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                       AccessTokens.AccessToken caller) {
        List<InvitationView> invited = invitations.invite(groupId, caller.userId(), body.userIds()).stream()
                .map(InvitationView::of).toList();
        return ResponseEntity.status(HttpStatus.CREATED).body(invited);
    }

    @Operation(summary = "My pending invitations", description = "Oldest first, with the group's name and who "
            + "invited; page from 0, size 1-100 (default 50)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/invitations")
    public Page<MyInvitationView> myInvitations(
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return Page.read(page, size, (skip, limit) -> invitations.mine(caller.userId(), skip, limit),
                MyInvitationView::of);
    }

    @Operation(summary = "Accept an invitation", description = "Joins the group (event 'member_joined' via "
            + "'invitation'): 201 with the group; 404 no pending invitation; 409 the group is full (the "
            + "invitation stays) or already a member", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/invitations/{groupId}/accept")
    public ResponseEntity<GroupController.GroupView> accept(@PathVariable String groupId,
                                                            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                            AccessTokens.AccessToken caller) {
        GroupController.GroupView joined = GroupController.GroupView.of(invitations.accept(groupId, caller.userId()));
        return ResponseEntity.created(URI.create("/api/v1/groups/" + joined.groupId())).body(joined);
    }

    @Operation(summary = "Decline an invitation", description = "204; 404 no pending invitation",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/invitations/{groupId}")
    public ResponseEntity<Void> decline(@PathVariable String groupId,
                                        @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                        AccessTokens.AccessToken caller) {
        invitations.decline(groupId, caller.userId());
        return ResponseEntity.noContent().build();
    }

    // ---- join requests

    @Operation(summary = "Ask to join", description = "By the group's joinPolicy: open → 201 with the group "
            + "(joined; event 'member_joined' via 'open'); approval → 202 with the pending request (asking again "
            + "changes nothing); closed → 403. 409 already a member; 404 unknown or dissolved group",
            security = @SecurityRequirement(name = "bearer"),
            responses = {
                    @ApiResponse(responseCode = "201", description = "joined (open group)", content = @Content(
                            schema = @Schema(implementation = GroupController.GroupView.class))),
                    @ApiResponse(responseCode = "202", description = "pending an admin's approval",
                            content = @Content(schema = @Schema(implementation = JoinRequestView.class)))})
    @PostMapping("/groups/{groupId}/join-requests")
    public ResponseEntity<Object> requestToJoin(@PathVariable String groupId,
                                                @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                AccessTokens.AccessToken caller) {
        GroupJoinRequests.Outcome outcome = joinRequests.request(groupId, caller.userId());
        if (outcome.joined() != null) {
            return ResponseEntity.created(URI.create("/api/v1/groups/" + groupId))
                    .body(GroupController.GroupView.of(outcome.joined()));
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(JoinRequestView.of(outcome.request()));
    }

    @Operation(summary = "A group's pending join requests", description = "Admins and the owner (403 others); "
            + "oldest first; page from 0, size 1-100 (default 50)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/groups/{groupId}/join-requests")
    public Page<JoinRequestView> joinRequests(
            @PathVariable String groupId, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size,
            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return Page.read(page, size, (skip, limit) -> joinRequests.list(groupId, caller.userId(), skip, limit),
                JoinRequestView::of);
    }

    @Operation(summary = "Approve a join request", description = "Admins and the owner; 201 with the new member "
            + "(event 'member_joined' via 'request', by the approver); 404 no such request; 409 the group is "
            + "full (the request stays) or already a member", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/groups/{groupId}/join-requests/{userId}/approve")
    public ResponseEntity<GroupController.MemberView> approve(@PathVariable String groupId,
                                                              @PathVariable String userId,
                                                              @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                              AccessTokens.AccessToken caller) {
        GroupMember member = joinRequests.approve(groupId, caller.userId(), userId);
        return ResponseEntity.created(URI.create("/api/v1/groups/" + groupId + "/members"))
                .body(GroupController.MemberView.of(member));
    }

    @Operation(summary = "Reject or withdraw a join request", description = "Admins and the owner reject; the "
            + "requester withdraws their own. 204; 404 no such request", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/groups/{groupId}/join-requests/{userId}")
    public ResponseEntity<Void> cancel(@PathVariable String groupId, @PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                       AccessTokens.AccessToken caller) {
        joinRequests.cancel(groupId, caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }
}
