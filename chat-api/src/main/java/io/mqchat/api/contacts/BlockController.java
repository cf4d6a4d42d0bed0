package io.mqchat.api.contacts;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The users the caller blocked. */
@RestController
@RequestMapping("/api/v1/blocks")
public class BlockController {

    public record BlockView(String userId, String at) {
        static BlockView of(ContactStore.Blocked b) {
            return new BlockView(b.userId(), ContactController.text(b.at()));
        }
    }

    private final BlockService blocks;

    public BlockController(BlockService blocks) {
        this.blocks = blocks;
    }

    @Operation(summary = "Block a user", description = "Idempotent, 204. Ends your contact and pending requests "
            + "either way; their contact requests and group invitations to you are refused. 400 yourself, a reserved "
            + "or invalid id; 404 unknown user; 409 too many blocks", security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/{userId}")
    public ResponseEntity<Void> block(@PathVariable String userId,
                                      @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        blocks.block(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Unblock a user", description = "204, also when not blocked; 400 an invalid id",
            security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/{userId}")
    public ResponseEntity<Void> unblock(@PathVariable String userId,
                                        @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        blocks.unblock(caller.userId(), userId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Users I blocked", description = "By id; page from 0, size 1-100 (default 50)",
            security = @SecurityRequirement(name = "bearer"))
    @GetMapping
    public ListPage<BlockView> list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
                                    @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return ListPage.read(page, size, (skip, limit) -> blocks.blocks(caller.userId(), skip, limit), BlockView::of);
    }
}
