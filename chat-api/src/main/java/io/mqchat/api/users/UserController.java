package io.mqchat.api.users;

import io.mqchat.web.ApiException;
import io.mqchat.common.protocol.Ids;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** User lookup for signed-in clients (the bearer check is {@code io.mqchat.api.auth.AuthWebConfig}). */
@RestController
@RequestMapping("/api/v1/users")
public class UserController {

    /** The public view of a user: never the password hash. */
    public record UserView(String userId, String createdAt) {
    }

    private final UserStore store;

    public UserController(UserStore store) {
        this.store = store;
    }

    @Operation(summary = "Look up a user", description = "404 unknown; 404 with \"code\":\"account_deleted\" "
            + "for the id of a deleted account (its messages stay, with this id as 'from')", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/{userId}")
    public UserView get(@PathVariable String userId) {
        if (!Ids.isValidUserId(userId)) {
            // an id that cannot exist: same answer as an unknown one
            throw ApiException.notFound("No such user.");
        }
        User user = store.find(userId).orElseThrow(() -> store.isTombstoned(userId)
                ? new ApiException(org.springframework.http.HttpStatus.NOT_FOUND, "This account was deleted.",
                "account_deleted")
                : ApiException.notFound("No such user."));
        return new UserView(user.userId(), user.createdAt() == null ? null : user.createdAt().toString());
    }
}
