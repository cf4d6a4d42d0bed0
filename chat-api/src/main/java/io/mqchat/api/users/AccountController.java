package io.mqchat.api.users;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * The caller's own account ({@code me} is always the token's user: nobody changes or deletes another's). Both
 * routes ask for the current password; the rules are in {@link AccountService}.
 */
@RestController
@RequestMapping(path = "/api/v1/users/me", consumes = MediaType.APPLICATION_JSON_VALUE)
public class AccountController {

    /** {@code POST /api/v1/users/me/password}. */
    public record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[]";
        }
    }

    /** The answer to a password change: the device types that were logged out (every one but the caller's). */
    public record PasswordChanged(List<String> loggedOut) {
    }

    /** {@code DELETE /api/v1/users/me}: the password, as confirmation. */
    public record AccountDeletion(String password) {
        @Override
        public String toString() {
            return "AccountDeletion[]";
        }
    }

    private final AccountService accounts;

    public AccountController(AccountService accounts) {
        this.accounts = accounts;
    }

    @Operation(summary = "Change my password", description = "{\"currentPassword\",\"newPassword\"}. The new "
            + "password follows the registration rules. The calling device stays logged in with the same token; every "
            + "other device is logged out and disconnected (MQTT 5 DISCONNECT 0x98), its tokens dead at once. 200 "
            + "{\"loggedOut\":[device types]}; 400 missing field, weak or unchanged new password; 403 "
            + "\"code\":\"wrong_password\"; 429 \"code\":\"login_throttled\" with Retry-After (a wrong current "
            + "password counts as a failed login); 409 changed at the same time by another request",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/password")
    public PasswordChanged changePassword(@RequestBody PasswordChange body,
                                          @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                                          HttpServletRequest http) {
        return new PasswordChanged(accounts.changePassword(caller, body.currentPassword(), body.newPassword(),
                http.getRemoteAddr()).loggedOut());
    }

    @Operation(summary = "Delete my account", description = "{\"password\"} as confirmation. For good: you leave "
            + "every group (a group you own passes to its admin who joined first, else its member who joined first, "
            + "and is dissolved if you are alone), your settings, pending invitations and join requests, logins and "
            + "conversation list go, every device is disconnected (0x98) and every token is dead. The messages you "
            + "sent stay in their conversations with your id as 'from'; the id is never registered again, and "
            + "direct messages to it are refused. 204; 400 missing password; 403 \"code\":\"wrong_password\"; 429 "
            + "\"code\":\"login_throttled\"; 409 a configured admin (MQCHAT_ADMINS)",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping
    public ResponseEntity<Void> delete(@RequestBody AccountDeletion body,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                                       HttpServletRequest http) {
        accounts.delete(caller, body.password(), http.getRemoteAddr());
        return ResponseEntity.noContent().build();
    }
}
