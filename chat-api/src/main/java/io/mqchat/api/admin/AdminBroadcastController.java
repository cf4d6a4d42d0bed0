package io.mqchat.api.admin;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Operators' broadcasts; only admins get past {@link AdminWebConfig}. The rules live in {@link BroadcastService}. */
@RestController
@RequestMapping("/api/v1/admin/broadcasts")
public class AdminBroadcastController {

    private final BroadcastService broadcasts;

    public AdminBroadcastController(BroadcastService broadcasts) {
        this.broadcasts = broadcasts;
    }

    @Operation(summary = "Broadcast a system message",
            description = "Body {\"body\": \"text\" (up to 4,000 characters), \"to\": \"all\" | [\"userId\", ...] (up to "
                    + "10,000 registered users) | {\"group\": \"groupId\"}}. Stored once, from the reserved user "
                    + "'system': for all or listed users in the system conversation s:all (each user reads the "
                    + "broadcasts for them), for a group in the group's conversation. Delivered live to every online "
                    + "device of the audience (to all: every connected device's inbox; listed users' inboxes; the group topic), synced, paged "
                    + "and counted unread like any conversation. 201 with the stored message's id, conv and seq; 400 "
                    + "for a bad body or audience, 404 for an unknown group, 422 for unregistered users (nothing sent), "
                    + "429 over MQCHAT_RATELIMIT_BROADCAST per admin.",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public AdminDtos.Broadcast broadcast(@RequestBody(required = false) AdminDtos.BroadcastRequest body,
                                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return broadcasts.broadcast(caller.userId(), body);
    }
}
