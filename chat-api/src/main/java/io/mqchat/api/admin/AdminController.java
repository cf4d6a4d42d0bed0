package io.mqchat.api.admin;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API for the web admins; only admins get past {@link AdminWebConfig}. The rules live in
 * {@link AdminService}.
 */
@RestController
@RequestMapping("/api/v1/admin")
public class AdminController {

    private final AdminService admin;

    public AdminController(AdminService admin) {
        this.admin = admin;
    }

    @Operation(summary = "Grant the admin role", security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/admins/{userId}")
    public AdminDtos.UserSummary grant(@PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return admin.grantAdmin(caller.userId(), userId);
    }

    @Operation(summary = "Revoke the admin role", description = "204; 409 for an admin by configuration (MQCHAT_ADMINS)",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/admins/{userId}")
    public ResponseEntity<Void> revoke(@PathVariable String userId,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        admin.revokeAdmin(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "List users by id prefix", description = "By id, paged: pass the answer's next as after",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/users")
    public AdminDtos.UserPage users(@RequestParam(required = false) String prefix,
                                    @RequestParam(required = false) String after,
                                    @RequestParam(required = false) Integer limit) {
        return admin.users(prefix, after, limit);
    }

    @Operation(summary = "One user", description = "With devices (logins, presence) and group count",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/users/{userId}")
    public AdminDtos.UserDetail user(@PathVariable String userId) {
        return admin.user(userId);
    }

    @Operation(summary = "Ban a user", description = "Logs out and disconnects every device; login and CONNECT are "
            + "refused until the ban ends (no until: permanent)", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/users/{userId}/ban")
    public AdminDtos.UserSummary ban(@PathVariable String userId, @RequestBody AdminDtos.BanRequest body,
                                     @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return admin.ban(caller.userId(), userId, body);
    }

    @Operation(summary = "Lift a ban", description = "204, also when not banned",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/users/{userId}/ban")
    public ResponseEntity<Void> unban(@PathVariable String userId,
                                      @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        admin.unban(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Kick a user's devices", description = "Logs them out (their tokens stop working) and "
            + "disconnects them; all devices, or those of deviceType", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/users/{userId}/kick")
    public AdminDtos.Kicked kick(@PathVariable String userId, @RequestBody(required = false) AdminDtos.KickRequest body,
                                 @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return admin.kick(caller.userId(), userId, body);
    }

    @Operation(summary = "The audit of admin actions", description = "Newest first, paged: pass the answer's next as after",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/audit")
    public AdminDtos.AuditPage audit(@RequestParam(required = false) String admin,
                                     @RequestParam(required = false) String target,
                                     @RequestParam(required = false) String after,
                                     @RequestParam(required = false) Integer limit) {
        return this.admin.audit(admin, target, after, limit);
    }

    @Operation(summary = "Users and devices online now", description = "On every broker node (read from Redis): per "
            + "device its type, node and since; by user id, paged: pass the answer's next as after. With the totals "
            + "(users, devices, devices per node)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/online")
    public AdminDtos.OnlinePage online(@RequestParam(required = false) String after,
                                       @RequestParam(required = false) Integer limit) {
        return admin.online(after, limit);
    }

    @Operation(summary = "Service statistics", description = "Online users and devices (per node), messages stored "
            + "(total, last minute, last hour), registered users, groups, and the health of MongoDB and Redis",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/stats")
    public AdminDtos.Stats stats() {
        return admin.stats();
    }
}
