package io.mqchat.api.services;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The token endpoint of service accounts (people log in at {@code /api/v1/auth/login}); rules in {@link ServiceTokens}. */
@RestController
public class ServiceTokenController {

    private final ServiceTokens tokens;

    public ServiceTokenController(ServiceTokens tokens) {
        this.tokens = tokens;
    }

    @Operation(summary = "A service account's token (client credentials)", description = "Body {\"grant_type\": "
            + "\"client_credentials\", \"client_id\": serviceId, \"client_secret\"}; answers {\"token\", \"expiresAt\"}. "
            + "The token is the MQTT password (username = serviceId, client id {serviceId}:{instance}, several instances "
            + "at once) and the REST bearer token. 401 for a wrong id or secret or a disabled account; 429 as for logins")
    @PostMapping(path = "/api/v1/auth/token", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ServiceAccountDtos.TokenResponse token(@RequestBody(required = false) ServiceAccountDtos.TokenRequest request,
                                                  HttpServletRequest http) {
        return tokens.issue(request, http.getRemoteAddr());
    }
}
