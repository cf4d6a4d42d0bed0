package io.mqchat.api.services;

import io.mqchat.api.admin.AdminDtos;
import io.mqchat.api.admin.BroadcastService;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.protocol.DeviceTypes;
import io.mqchat.web.ApiException;
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

/** The operators' broadcast, for service accounts an admin gave the broadcast scope. */
@RestController
@RequestMapping("/api/v1/broadcasts")
public class ServiceBroadcastController {

    private final BroadcastService broadcasts;
    private final ServiceAccountStore services;

    public ServiceBroadcastController(BroadcastService broadcasts, ServiceAccountStore services) {
        this.broadcasts = broadcasts;
        this.services = services;
    }

    @Operation(summary = "Broadcast a system message as a service",
            description = "The body and answer of POST /api/v1/admin/broadcasts, for a service account's token with the "
                    + "broadcast scope (403 otherwise; admins use the admin route). Limited per service like an admin's.",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public AdminDtos.Broadcast broadcast(@RequestBody(required = false) AdminDtos.BroadcastRequest body,
                                         @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        boolean allowed = caller.deviceType().equals(DeviceTypes.SERVICE) && services.find(caller.userId())
                .filter(a -> !a.disabled() && a.scopes().broadcast()).isPresent();
        if (!allowed) {
            throw ApiException.forbidden("Only service accounts with the broadcast scope may broadcast here; admins "
                    + "use POST /api/v1/admin/broadcasts.");
        }
        return broadcasts.broadcast(caller.userId(), body);
    }
}
