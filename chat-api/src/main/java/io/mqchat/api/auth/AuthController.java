package io.mqchat.api.auth;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/**
 * Registration and login; the rules live in {@link AuthService}. The client address for rate limits is the
 * TCP peer ({@code getRemoteAddr()}), which Spring Boot replaces by the forwarded one only when
 * {@code server.forward-headers-strategy} says to trust a proxy.
 */
@RestController
@RequestMapping(path = "/api/v1/auth", consumes = MediaType.APPLICATION_JSON_VALUE)
public class AuthController {

    private final AuthService auth;

    public AuthController(AuthService auth) {
        this.auth = auth;
    }

    @Operation(summary = "Register a user", description = "201 with Location; 409 if the id is taken; "
            + "400 for an invalid id or a weak password; 429 with Retry-After when this address registered too often")
    @PostMapping("/register")
    public ResponseEntity<AuthDtos.RegisteredUser> register(@RequestBody AuthDtos.RegisterRequest request,
                                                            HttpServletRequest http) {
        AuthDtos.RegisteredUser user = auth.register(request, http.getRemoteAddr());
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.userId())).body(user);
    }

    @Operation(summary = "Log in one device", description = "Returns the access token (MQTT password and "
            + "REST bearer token) and the MQTT client id to connect with; 401 for a wrong id or password; 429 with "
            + "Retry-After after too many failed logins of this account or from this address (the right password "
            + "too, until the wait is over)")
    @PostMapping("/login")
    public AuthDtos.LoginResponse login(@RequestBody AuthDtos.LoginRequest request, HttpServletRequest http) {
        return auth.login(request, http.getRemoteAddr());
    }
}
