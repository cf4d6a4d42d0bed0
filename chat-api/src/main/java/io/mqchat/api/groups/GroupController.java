package io.mqchat.api.groups;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Group management over REST: create, look up, list mine, edit, dissolve, and members with roles. The
 * group's chat traffic (MQTT {@code chat/g/{groupId}}) is not part of this controller.
 */
@RestController
@RequestMapping("/api/v1/groups")
public class GroupController {

    public record CreateGroup(String name, String description, String avatarUrl, List<String> members,
                              String joinPolicy, Boolean membersInvite, String history) {
    }

    public record UpdateGroup(String name, String description, String avatarUrl, String joinPolicy,
                              Boolean membersInvite, String history) {
    }

    public record AddMembers(List<String> userIds) {
    }

    public record SetRole(String role) {
    }

    public record TransferOwnership(String userId) {
    }

    /** A group as its members see it; {@code role} is the caller's. */
    public record GroupView(String groupId, String conversationId, String name, String description, String avatarUrl,
                            String owner, int memberCount, String createdAt, String role, String joinPolicy,
                            boolean membersInvite, String history, boolean mutedAll) {
        static GroupView of(Group g, GroupRole role) {
            return new GroupView(g.groupId(), ConversationId.group(g.groupId()).toString(), g.name(), g.description(), g.avatarUrl(), g.owner(),
                    g.memberCount(), text(g.createdAt()), role.wire(), g.joinPolicy().wire(), g.membersInvite(),
                    g.history().wire(), g.mutedAll());
        }

        static GroupView of(GroupService.Membership m) {
            return of(m.group(), m.role());
        }
    }

    /**
     * A created group: the group as {@link GroupView} shows it, plus who of the members asked for became
     * members ({@code added}) and who was invited instead because their settings do not let the caller add
     * them ({@code invited}).
     */
    public record CreatedGroupView(@JsonUnwrapped GroupView group, List<String> added, List<String> invited) {
    }

    /**
     * One user of an addition: {@code status} {@code added} (a member now: role and joinedAt as in
     * {@link MemberView}) or {@code invited} (their settings do not let the caller add them: a pending
     * invitation, with {@code invitedBy} and {@code invitedAt}; role and joinedAt are null).
     */
    public record AdditionView(String userId, String role, String joinedAt, String mutedUntil, String status,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String invitedBy,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String invitedAt) {
        static AdditionView added(GroupMember m) {
            MemberView v = MemberView.of(m);
            return new AdditionView(v.userId(), v.role(), v.joinedAt(), v.mutedUntil(), "added", null, null);
        }

        static AdditionView invited(PendingJoin p) {
            return new AdditionView(p.userId(), null, null, null, "invited", p.by(), text(p.createdAt()));
        }
    }

    /** A member; {@code mutedUntil} only while the member is muted. */
    public record MemberView(String userId, String role, String joinedAt, String mutedUntil) {
        static MemberView of(GroupMember m) {
            return new MemberView(m.userId(), m.role().wire(), text(m.joinedAt()),
                    m.mutedAt(Instant.now()) ? text(m.mutedUntil()) : null);
        }
    }

    private final GroupService groups;
    private final GroupMembers members;
    private final GroupRoles roles;

    public GroupController(GroupService groups, GroupMembers members, GroupRoles roles) {
        this.groups = groups;
        this.members = members;
        this.roles = roles;
    }

    @Operation(summary = "Create a group", description = "The caller becomes its owner; members whose groupAdds "
            + "setting admits the caller are added as plain members ('added'), the others are invited ('invited'). "
            + "Settings: joinPolicy closed|approval (default)|open, membersInvite (default true), "
            + "history since-join (default)|all. Announced by the event 'created'. 201 with Location; 400 invalid "
            + "input or unknown users (named); 409 over the maximum group size; 429 too many groups created or "
            + "users added recently (Retry-After)",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping
    public ResponseEntity<CreatedGroupView> create(@RequestBody CreateGroup body,
                                                   @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                   AccessTokens.AccessToken caller) {
        GroupService.Created created = groups.create(caller.userId(), body.name(), body.description(),
                body.avatarUrl(), body.members(),
                new GroupService.Settings(body.joinPolicy(), body.membersInvite(), body.history()));
        return ResponseEntity.created(URI.create("/api/v1/groups/" + created.group().groupId()))
                .body(new CreatedGroupView(GroupView.of(created.group(), GroupRole.OWNER), created.added(),
                        created.invited().stream().map(PendingJoin::userId).toList()));
    }

    @Operation(summary = "My groups", description = "The groups the caller is a member of, by group id; "
            + "page from 0, size 1-100 (default 50)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public Page<GroupView> mine(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
                                @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return Page.read(page, size, (skip, limit) -> groups.myGroups(caller.userId(), skip, limit), GroupView::of);
    }

    @Operation(summary = "Look up a group", description = "Members only: 403 for others, 404 unknown or dissolved",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/{groupId}")
    public GroupView get(@PathVariable String groupId,
                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return GroupView.of(groups.view(groupId, caller.userId()));
    }

    @Operation(summary = "Edit a group", description = "name, description, avatarUrl, joinPolicy, membersInvite, "
            + "history (absent: unchanged; empty description/avatarUrl: removed). Admins and the owner; 403 others. "
            + "Announced by the event 'updated' with the names of the fields that changed",
            security = @SecurityRequirement(name = "bearer"))
    @PatchMapping("/{groupId}")
    public GroupView update(@PathVariable String groupId, @RequestBody UpdateGroup body,
                            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return GroupView.of(groups.update(groupId, caller.userId(), body.name(), body.description(),
                body.avatarUrl(), new GroupService.Settings(body.joinPolicy(), body.membersInvite(), body.history())));
    }

    @Operation(summary = "Dissolve a group", description = "Owner only; 204. The group, its memberships and "
            + "pending invitations and join requests are gone afterwards (404); every member is unsubscribed and "
            + "gets the event 'dissolved' in their inbox", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/{groupId}")
    public ResponseEntity<Void> dissolve(@PathVariable String groupId,
                                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        groups.dissolve(groupId, caller.userId());
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Add members", description = "Admins and the owner. Users whose groupAdds setting "
            + "admits the caller (or who asked to join) are added (event 'members_added'; they read from that "
            + "event on, or everything with history=all); the others are invited. 201 with one entry per user: "
            + "the added members (status 'added'), then the invitations (status 'invited'); 409 if any is "
            + "already a member or the group would exceed its maximum size; 400 unknown users; 429 too many users "
            + "added or invited recently (Retry-After)",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{groupId}/members")
    public ResponseEntity<List<AdditionView>> addMembers(@PathVariable String groupId, @RequestBody AddMembers body,
                                                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                                         AccessTokens.AccessToken caller) {
        GroupMembers.Additions additions = members.add(groupId, caller.userId(), body.userIds());
        List<AdditionView> result = new ArrayList<>();
        additions.added().forEach(m -> result.add(AdditionView.added(m)));
        additions.invited().forEach(p -> result.add(AdditionView.invited(p)));
        return ResponseEntity.created(URI.create("/api/v1/groups/" + groupId + "/members")).body(result);
    }

    @Operation(summary = "A group's members", description = "Members only; by user id with their role; page from "
            + "0, size 1-100 (default 50)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/{groupId}/members")
    public Page<MemberView> members(@PathVariable String groupId, @RequestParam(defaultValue = "0") int page,
                                    @RequestParam(defaultValue = "50") int size,
                                    @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return Page.read(page, size, (skip, limit) -> members.list(groupId, caller.userId(), skip, limit),
                MemberView::of);
    }

    @Operation(summary = "Remove a member or leave", description = "Admins remove members, the owner removes "
            + "anyone; everyone may remove themselves (leave) except the owner (409: transfer ownership first); 204. "
            + "Event 'member_removed' or 'member_left'",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/{groupId}/members/{userId}")
    public ResponseEntity<Void> removeMember(@PathVariable String groupId, @PathVariable String userId,
                                             @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE)
                                             AccessTokens.AccessToken caller) {
        members.remove(groupId, caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Set a member's role", description = "{\"role\":\"admin\"|\"member\"}; owner only; "
            + "event 'role_changed'",
            security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/{groupId}/members/{userId}/role")
    public MemberView setRole(@PathVariable String groupId, @PathVariable String userId, @RequestBody SetRole body,
                              @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return MemberView.of(roles.setRole(groupId, caller.userId(), userId, body.role()));
    }

    @Operation(summary = "Transfer ownership", description = "{\"userId\"} of a member; owner only. The previous "
            + "owner becomes an admin; event 'owner_changed'", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{groupId}/owner")
    public GroupView transfer(@PathVariable String groupId, @RequestBody TransferOwnership body,
                              @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return GroupView.of(roles.transferOwnership(groupId, caller.userId(), body.userId()));
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
