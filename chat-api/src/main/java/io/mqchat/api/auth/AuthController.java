package io.mqchat.api.auth;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/** Registration and login; the rules live in {@link AuthService}. */
@RestController
@RequestMapping(path = "/api/v1/auth", consumes = MediaType.APPLICATION_JSON_VALUE)
public class AuthController {

    private final AuthService auth;

    public AuthController(AuthService auth) {
        this.auth = auth;
    }

    @Operation(summary = "Register a user", description = "201 with Location; 409 if the id is taken; "
            + "400 for an invalid id or a weak password")
    @PostMapping("/register")
    public ResponseEntity<AuthDtos.RegisteredUser> register(@RequestBody AuthDtos.RegisterRequest request) {
        AuthDtos.RegisteredUser user = auth.register(request);
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.userId())).body(user);
    }

    @Operation(summary = "Log in one device", description = "Returns the access token (MQTT password and "
            + "REST bearer token) and the MQTT client id to connect with")
    @PostMapping("/login")
    public AuthDtos.LoginResponse login(@RequestBody AuthDtos.LoginRequest request) {
        return auth.login(request);
    }
}
