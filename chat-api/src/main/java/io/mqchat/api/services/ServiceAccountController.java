package io.mqchat.api.services;

import io.mqchat.api.admin.AdminWebConfig;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/** Service accounts, for admins only (the admin routes are guarded by {@link AdminWebConfig}). */
@RestController
@RequestMapping("/api/v1/admin/service-accounts")
public class ServiceAccountController {

    private final ServiceAccountService services;

    public ServiceAccountController(ServiceAccountService services) {
        this.services = services;
    }

    @Operation(summary = "Create a service account", description = "Body {\"id\", \"name\", \"scopes\": {\"direct\": "
            + "\"any\"|\"listed\"|\"none\", \"users\": [...], \"groups\": \"member\"|\"listed\"|\"none\", \"groupIds\": "
            + "[...], \"broadcast\": false}, \"rateLimit\": \"500/s,burst=2000\"}. 201 with the client secret, shown "
            + "this once; 409 for a taken id", security = @SecurityRequirement(name = "bearer"))
    @PostMapping
    public ResponseEntity<ServiceAccountDtos.Credentials> create(
            @RequestBody(required = false) ServiceAccountDtos.CreateRequest body,
            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        ServiceAccountDtos.Credentials created = services.create(caller.userId(), body);
        return ResponseEntity.created(URI.create("/api/v1/admin/service-accounts/" + created.account().id()))
                .body(created);
    }

    @Operation(summary = "List service accounts", description = "By id, paged: pass the answer's next as after",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public ServiceAccountDtos.Page list(@RequestParam(required = false) String after,
                                        @RequestParam(required = false) String limit) {
        return services.list(after, limit);
    }

    @Operation(summary = "One service account", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/{id}")
    public ServiceAccountDtos.View get(@PathVariable String id) {
        return services.get(id);
    }

    @Operation(summary = "Change name, scopes or rate limit", description = "What the body gives changes; the broker "
            + "applies it within 5 s", security = @SecurityRequirement(name = "bearer"))
    @PatchMapping("/{id}")
    public ServiceAccountDtos.View update(@PathVariable String id,
                                          @RequestBody(required = false) ServiceAccountDtos.UpdateRequest body,
                                          @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return services.update(caller.userId(), id, body);
    }

    @Operation(summary = "Rotate the secret", description = "A new secret, shown once; every token of the old one "
            + "stops working and its MQTT connections are closed", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{id}/rotate")
    public ServiceAccountDtos.Credentials rotate(@PathVariable String id,
                                                 @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return services.rotate(caller.userId(), id);
    }

    @Operation(summary = "Disable", description = "Tokens stop working, connections are closed, no new token is "
            + "issued until enabled; messages to it are still stored", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{id}/disable")
    public ServiceAccountDtos.View disable(@PathVariable String id,
                                           @RequestBody(required = false) ServiceAccountDtos.DisableRequest body,
                                           @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return services.disable(caller.userId(), id, body);
    }

    @Operation(summary = "Enable again", description = "The secret it had works again",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{id}/enable")
    public ServiceAccountDtos.View enable(@PathVariable String id,
                                          @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return services.enable(caller.userId(), id);
    }
}
