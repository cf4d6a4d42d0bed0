package io.mqchat.api.webhooks;

import io.mqchat.api.admin.AdminWebConfig;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhook endpoints and their dead letters, for admins only (the path is under {@link AdminWebConfig}'s guard). The
 * rules live in {@link WebhookService}.
 */
@RestController
@RequestMapping("/api/v1/admin/webhooks")
public class WebhookController {

    private final WebhookService webhooks;

    public WebhookController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @Operation(summary = "Register a webhook endpoint", description = "Body {\"url\", \"events\": [...], \"secret\"?}: "
            + "http(s) URL up to 2,048 characters without credentials, on a public address unless "
            + "MQCHAT_WEBHOOKS_ALLOWPRIVATE; events from message.stored, message.offline, user.online, user.offline, "
            + "group.changed; secret 16-256 printable characters, generated when absent and then shown in this answer "
            + "only. 201; 400 invalid; 409 over MQCHAT_WEBHOOKS_MAXENDPOINTS.",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public WebhookDtos.Endpoint create(@RequestBody(required = false) WebhookDtos.CreateRequest body,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return webhooks.create(caller.userId(), body);
    }

    @Operation(summary = "List webhook endpoints", description = "By id, paged: pass the answer's next as after; "
            + "secrets redacted", security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public WebhookDtos.EndpointPage list(@RequestParam(required = false) String after,
                                         @RequestParam(required = false) Integer limit) {
        return webhooks.list(after, limit);
    }

    @Operation(summary = "List dead letters", description = "Deliveries that failed every attempt, newest first, of "
            + "one endpoint or all; paged: pass the answer's next as after", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/dead-letters")
    public WebhookDtos.DeadLetterPage deadLetters(@RequestParam(required = false) String endpoint,
                                                  @RequestParam(required = false) String after,
                                                  @RequestParam(required = false) Integer limit) {
        return webhooks.deadLetters(endpoint, after, limit);
    }

    @Operation(summary = "Redeliver a dead letter", description = "202: pending again from its first attempt; 404 "
            + "unknown; 409 not dead", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/dead-letters/{deliveryId}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public WebhookDtos.Queued redeliver(@PathVariable String deliveryId,
                                        @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return webhooks.redeliver(caller.userId(), deliveryId);
    }

    @Operation(summary = "One webhook endpoint", description = "Secret redacted", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/{id}")
    public WebhookDtos.Endpoint get(@PathVariable String id) {
        return webhooks.get(id);
    }

    @Operation(summary = "Enable or disable an endpoint", description = "Body {\"enabled\": true|false}; a disabled "
            + "endpoint gets nothing new and its pending deliveries wait", security = @SecurityRequirement(name = "bearer"))
    @PatchMapping("/{id}")
    public WebhookDtos.Endpoint update(@PathVariable String id, @RequestBody(required = false) WebhookDtos.UpdateRequest body,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return webhooks.update(caller.userId(), id, body);
    }

    @Operation(summary = "Delete an endpoint", description = "204; its queued and dead deliveries go with it",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        webhooks.delete(caller.userId(), id);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Test-fire an endpoint", description = "202: a webhook.test delivery is queued, due now, "
            + "signed and retried like any other; 409 when the endpoint is disabled",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public WebhookDtos.Queued test(@PathVariable String id,
                                   @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return webhooks.test(caller.userId(), id);
    }
}
